/* 22mb_info_public_js.js */
function $close_window(){window.close();}
