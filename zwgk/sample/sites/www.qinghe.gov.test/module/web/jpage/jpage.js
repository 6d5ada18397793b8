/* jpage v3.2 (Hanweb) — 分页组件，数据由 dataproxy.jsp 按 startrecord/endrecord 分组返回 */
(function($){
	$.fn.jpage = function(cfg){
		var $box = this, perPage = cfg.perPage || 15, total = cfg.totalRecord || 0;
		var groupSize = cfg.groupSize || 3, proxyUrl = cfg.proxyUrl || "/module/web/jpage/dataproxy.jsp";
		function load(page){
			var start = (page - 1) * perPage + 1, end = start + perPage * groupSize - 1;
			$.post(proxyUrl + "?startrecord=" + start + "&endrecord=" + end + "&perpage=" + perPage, cfg, function(xml){
				var html = "";
				$(xml).find("record").each(function(){ html += $(this).text(); });
				$box.html(html);
			});
		}
		$box.data("jpage", {load: load, pages: Math.ceil(total / perPage)});
		return this;
	};
})(jQuery);
