/* 寒山市人民政府网站公共脚本 */
function showDate(){
	var d = new Date();
	var w = ["日","一","二","三","四","五","六"];
	document.write("今天是：" + d.getFullYear() + "年" + (d.getMonth()+1) + "月" + d.getDate() + "日 星期" + w[d.getDay()]);
}
function doZoom(size){
	document.getElementById("Zoom").style.fontSize = size + "px";
}
function SetHome(obj, url){
	try{ obj.style.behavior = "url(#default#homepage)"; obj.setHomePage(url); }catch(e){}
}
function AddFavorite(url, title){
	try{ window.external.addFavorite(url, title); }catch(e){ alert("请使用Ctrl+D进行添加"); }
}
// TRS WCM 分页
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount <= 1){
		return;
	}
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex == 0){
		document.write("首页&nbsp;&nbsp;上一页&nbsp;&nbsp;");
	}else{
		document.write("<a href=\"" + _sPageName + "." + _sPageExt + "\">首页</a>&nbsp;&nbsp;");
		var sPre = (nCurrIndex == 1) ? _sPageName + "." + _sPageExt : _sPageName + "_" + (nCurrIndex - 1) + "." + _sPageExt;
		document.write("<a href=\"" + sPre + "\">上一页</a>&nbsp;&nbsp;");
	}
	if(nCurrIndex == _nPageCount - 1){
		document.write("下一页&nbsp;&nbsp;尾页");
	}else{
		document.write("<a href=\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\">下一页</a>&nbsp;&nbsp;");
		document.write("<a href=\"" + _sPageName + "_" + (_nPageCount - 1) + "." + _sPageExt + "\">尾页</a>");
	}
	document.write("&nbsp;&nbsp;共" + _nPageCount + "页");
}
