"""清河县人民政府: a Hanweb (大汉) site; the disclosure platform is a second host.

List pages carry only their first records in a jpage XML island; the rest
come from ``/module/web/jpage/dataproxy.jsp``, which the server answers
from ``sites/_jpage.json`` written here.
"""

# ruff: noqa: E501 -- the HTML templates keep the line layout of the CMS output they imitate.

from __future__ import annotations

import json

from zwgk.sample import catalog as C
from zwgk.sample.gen.content import (
    SiteData,
    annual_report_body,
    graphic_body,
    guide_body,
    interp_body,
    news_body,
    policy_body,
    system_body,
)
from zwgk.sample.gen.kit import (
    Column,
    Doc,
    Output,
    Planted,
    conac_script,
    esc,
    paras,
    tiny_pdf,
    tiny_png,
    url_of,
)

SITE = "qinghe"
WWW = C.QINGHE
XXGK = C.QINGHE_XXGK
ABS_WWW = f"http://{WWW}"
ABS_XXGK = f"http://{XXGK}"
WEBNAME = "清河县人民政府"
WEBID = {WWW: 1, XXGK: 2}

JPAGE_JS = """/* jpage v3.2 (Hanweb) — 分页组件，数据由 dataproxy.jsp 按 startrecord/endrecord 分组返回 */
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
"""

JQUERY_STUB = "/*! jQuery v1.7.2 jquery.com | jquery.org/license (stub for the sample site) */\n"

BASE_CSS = """body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun;color:#333;}
.w1200{width:1200px;margin:0 auto;}
.nav{background:#0b5aa2;}.nav li{display:inline-block;padding:0 30px;line-height:48px;}
.nav a{color:#fff;text-decoration:none;}
.xxgk-left{float:left;width:220px;}.main-r{float:right;width:950px;}
.xxgk_table{width:100%;border-collapse:collapse;}.xxgk_table td{border:1px solid #dcdcdc;padding:6px 10px;}
.foot{clear:both;background:#0b5aa2;color:#fff;text-align:center;padding:16px 0;}
"""


class Qinghe:
    def __init__(
        self, out: Output, planted: Planted, jpage: dict[str, object], site: SiteData
    ) -> None:
        self.out = out
        self.planted = planted
        self.jpage = jpage
        self.site = site
        self.docid = 56100

    # -- chrome ---------------------------------------------------------------------

    def page(self, host: str, title: str, column: str, body: str, metas: str = "") -> str:
        footer_links = (
            f'<a href="{ABS_WWW}/admin/login.html">网站管理</a>'
            if host == WWW
            else f'<a href="{ABS_WWW}/">返回清河县人民政府门户网站</a>'
        )
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta http-equiv="X-UA-Compatible" content="IE=edge" />
<title>{esc(title)}</title>
<meta name="SiteName" content="{WEBNAME}">
<meta name="SiteDomain" content="{host}">
<meta name="SiteIDCode" content="{self.site.site_code}">
<meta name="ColumnName" content="{esc(column)}">
<meta name="ColumnDescription" content="">
<meta name="ColumnKeywords" content="">
<meta name="ColumnType" content="{esc(column)}">
{metas}<link rel="stylesheet" type="text/css" href="/images/qh_base.css" />
<script language="javascript" src="/module/jslib/jquery/jquery.js"></script>
</head>
<body>
<!--头部开始-->
<div class="head"><div class="w1200">
<a href="{ABS_WWW}/"><img src="/images/qh_logo.png" alt="{WEBNAME}" /></a>
<div class="head-r"><a href="javascript:void(0)" onclick="aria.start()">无障碍浏览</a> | <a href="javascript:;" id="oldman">长者模式</a></div>
</div></div>
<div class="nav"><ul class="w1200">
<li><a href="{ABS_WWW}/">首页</a></li>
<li><a href="{ABS_WWW}/col/col1101/index.html">清河要闻</a></li>
<li><a href="{ABS_XXGK}/">政务公开</a></li>
<li><a href="{ABS_WWW}/zjqh/">走进清河</a></li>
</ul></div>
<!--头部结束-->
{body}
<!--底部开始-->
<div class="foot"><div class="w1200">
<p>{footer_links}</p>
<p>主办单位：{self.site.office}　承办单位：清河县融媒体中心</p>
<p>网站标识码：{self.site.site_code}　{self.site.icp}　{self.site.police}</p>
<p>地址：{self.site.address}　邮编：{self.site.postcode}　联系电话：{self.site.phone}</p>
<p>{conac_script(self.site.site_code)}</p>
</div></div>
<!--底部结束-->
</body>
</html>
"""

    def emit(self, host: str, path: str, text: str) -> None:
        self.out.put(host, path, text.encode("utf-8"))

    @staticmethod
    def position(trail: list[tuple[str, str]]) -> str:
        parts = ['<a href="/">首页</a>'] + [f'<a href="{p}">{esc(n)}</a>' for n, p in trail]
        return '<div class="bt-position">您当前的位置：' + " &gt; ".join(parts) + "</div>"

    @staticmethod
    def xxgk_left() -> str:
        return """<div class="xxgk-left"><div class="xxgk-left-tit">政府信息公开</div><ul>
<li><a href="/col/col1201/index.html">政府信息公开指南</a></li>
<li><a href="/col/col1202/index.html">政府信息公开制度</a></li>
<li><a href="/col/col1203/index.html">法定主动公开内容</a></li>
<li><a href="/col/col1204/index.html">政府信息公开年报</a></li>
</ul></div>
"""

    # -- documents ----------------------------------------------------------------------

    def new_doc(self, **kw: object) -> Doc:
        self.docid += 1
        return Doc(docid=self.docid, **kw)  # type: ignore[arg-type]

    def place(self, col: Column) -> None:
        for d in col.docs:
            y, m, dd = (int(x) for x in d.date.split("-"))
            d.path = f"/art/{y}/{m}/{dd}/art_{col.columnid}_{d.docid}.html"

    @staticmethod
    def record(d: Doc) -> str:
        return (
            f'<li><a href="{d.path}" target="_blank" title="{esc(d.title)}">{esc(d.title)}</a>'
            f"<span>{d.date}</span></li>"
        )

    def list_page(self, col: Column) -> None:
        host = col.host
        path = col.path + "index.html"
        records = [self.record(d) for d in col.docs]
        shown = "\n".join(f"<record><![CDATA[\n{r}\n]]></record>" for r in records[: col.per_page])
        params = {
            "col": 1,
            "appid": 1,
            "webid": WEBID[host],
            "path": "/",
            "columnid": col.columnid,
            "sourceContentType": 1,
            "unitid": str(col.unitid),
            "webname": WEBNAME,
            "permissiontype": 0,
        }
        config = dict(
            params,
            totalRecord=len(records),
            perPage=col.per_page,
            groupSize=3,
            barPosition="bottom",
            proxyUrl=C.DATAPROXY_PATH,
        )
        nextgroup = (
            f"{C.DATAPROXY_PATH}?page=1&appid=1&webid={WEBID[host]}&path=/&columnid={col.columnid}"
            f"&unitid={col.unitid}&webname={WEBNAME}&permissiontype=0"
        )
        left = self.xxgk_left() if host == XXGK else ""
        body = f"""<div class="w1200 main">
{self.position([*col.crumbs, (col.name, path)])}
{left}<div class="main-r">
<div class="lm-tit"><span>{esc(col.name)}</span></div>
<div class="lm-list">
<div id="{col.unitid}"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="{nextgroup}"></a>]]></nextgroup>
<recordset>
{shown}
</recordset>
</datastore>
</script></div>{'<p class="kong">暂无信息</p>' if not records else ""}<script language="javascript" src="/module/web/jpage/jpage.js"></script>
<script language="javascript">
$(document).ready(function () {{
	$("#{col.unitid}").jpage({json.dumps(config, ensure_ascii=False)});
}});
</script>
</div>
</div>
</div>"""
        self.emit(host, path, self.page(host, f"{col.name} {WEBNAME}", col.name, body))
        hosts = self.jpage.setdefault(host, {})
        assert isinstance(hosts, dict)
        hosts[str(col.columnid)] = {
            "unitid": str(col.unitid),
            "perpage": col.per_page,
            "records": records,
        }

    def detail(self, d: Doc) -> None:
        assert d.column is not None
        col = d.column
        host = col.host
        metas = (
            f'<meta name="ArticleTitle" content="{esc(d.title)}">\n'
            f'<meta name="PubDate" content="{d.pubdate}">\n'
            f'<meta name="ContentSource" content="{esc(d.source)}">\n'
            '<meta name="Keywords" content="">\n<meta name="Author" content="">\n'
            '<meta name="Description" content="">\n<meta name="Image" content="">\n'
            f'<meta name="Url" content="http://{host}{d.path}">\n'
        )
        table = ""
        # The 人事信息 column's template leaves the 索引号 cell empty.
        index_no = (
            "" if col.columnid == 1237 else f"{self.site.credit_code}/{d.date[:4]}-{d.docid:05d}"
        )
        if host == XXGK:
            table = f"""<div class="xxgk-info"><table class="xxgk_table" cellspacing="0" cellpadding="0">
<tr><td class="xxgk_tit">索引号：</td><td>{index_no}</td><td class="xxgk_tit">发布机构：</td><td>{esc(d.source)}</td></tr>
<tr><td class="xxgk_tit">成文日期：</td><td>{d.written or d.date}</td><td class="xxgk_tit">生成日期：</td><td>{d.date}</td></tr>
<tr><td class="xxgk_tit">文号：</td><td>{esc(d.wenhao)}</td><td class="xxgk_tit">主题分类：</td><td>{esc(d.topic or "综合政务")}</td></tr>
<tr><td class="xxgk_tit">公开方式：</td><td>主动公开</td><td class="xxgk_tit">有效性：</td><td>有效</td></tr>
</table></div>
"""
        extra = ""
        if d.attachments:
            links = "".join(
                f'<p><a href="{h}" target="_blank">{esc(n)}</a></p>' for n, h in d.attachments
            )
            extra += f'<div class="fj"><span>附件：</span>{links}</div>\n'
        if d.interps:
            lis = "".join(
                f'<li><a href="{i.path}" target="_blank">{esc(i.title)}</a></li>' for i in d.interps
            )
            extra += f'<div class="xgjd"><div class="xgjd-tit">相关解读</div><ul>{lis}</ul></div>\n'
        if d.policy is not None:
            extra += (
                f'<div class="xgwj">原文链接：<a href="{d.policy.path}" target="_blank">'
                f"{esc(d.policy.title)}</a></div>\n"
            )
        left = self.xxgk_left() if host == XXGK else ""
        body = f"""<div class="w1200 main">
{self.position([*col.crumbs, (col.name, col.path + "index.html")])}
{left}<div class="main-r">
{table}<div class="article">
<div class="title"><!--<$[标题名称]>begin-->{esc(d.title)}<!--<$[标题名称]>end--></div>
<div class="info">发布日期：<!--<$[发布日期]>begin-->{d.date}<!--<$[发布日期]>end-->　信息来源：<!--<$[信息来源]>begin-->{esc(d.source)}<!--<$[信息来源]>end-->　<a href="javascript:window.print()">【打印本页】</a> <a href="javascript:window.close()">【关闭窗口】</a></div>
<div id="zoom"><!--<$[信息内容]>begin--><!--ZJEG_RSS.content.begin--><meta name="ContentStart">{d.body}<meta name="ContentEnd"><!--ZJEG_RSS.content.end--><!--<$[信息内容]>end--></div>
{extra}</div>
</div>
</div>"""
        self.emit(host, d.path, self.page(host, f"{d.title} {WEBNAME}", col.name, body, metas))

    # -- the site -------------------------------------------------------------------------

    def build(self) -> None:
        site = self.site
        fdzd = ("法定主动公开内容", "/col/col1203/index.html")
        news = Column("清河要闻", "/col/col1101/", WWW, per_page=8, columnid=1101, unitid=4101)
        guide = Column("政府信息公开指南", "/col/col1201/", XXGK, columnid=1201, unitid=4201)
        system = Column("政府信息公开制度", "/col/col1202/", XXGK, columnid=1202, unitid=4202)
        reports = Column("政府信息公开年报", "/col/col1204/", XXGK, columnid=1204, unitid=4204)
        zfwj = Column(
            "政府文件", "/col/col1234/", XXGK, crumbs=[fdzd], per_page=8, columnid=1234, unitid=3456
        )
        zcjd = Column("政策解读", "/col/col1235/", XXGK, crumbs=[fdzd], columnid=1235, unitid=4235)
        fzgh = Column("发展规划", "/col/col1236/", XXGK, crumbs=[fdzd], columnid=1236, unitid=4236)
        rsxx = Column("人事信息", "/col/col1237/", XXGK, crumbs=[fdzd], columnid=1237, unitid=4237)
        # Planted: a 规划 sub-column that was set up and never filled.
        kjgh = Column(
            "国土空间规划", "/col/col1238/", XXGK, crumbs=[fdzd], columnid=1238, unitid=4238
        )

        for n in site.news:
            news.add(
                self.new_doc(
                    title=n.title,
                    date=n.date,
                    time=n.time,
                    source="清河县融媒体中心",
                    body=paras(news_body(site, n.title, n.lead)),
                )
            )

        self.docid = 56200
        policies: dict[str, Doc] = {}
        for key, spec in site.policies.items():
            d = self.new_doc(
                title=spec.title,
                date=spec.date,
                time=spec.time,
                source=spec.source,
                wenhao=spec.wenhao,
                written=spec.written,
                topic=spec.topic,
                kind="policy",
                key=key,
                body=policy_body(site, spec),
            )
            policies[key] = d
            zfwj.add(d)
        self.docid = 56210
        for date, title, wenhao, source, topic in GOV_DOCS:
            salutation = f"{site.units}：" if "批复" not in title else "县有关单位："
            subject = title.split("关于", 1)[-1][:-3]  # drop 的通知/的通告/的批复…
            text = f"根据工作需要，经县人民政府研究，现就{subject}有关事项{title[-2:]}如下。"
            zfwj.add(
                self.new_doc(
                    title=title,
                    date=date,
                    time="10:30",
                    source=source,
                    wenhao=wenhao,
                    written=date,
                    topic=topic,
                    kind="notice",
                    body=paras([salutation, text, *news_body(site, title, "")[1:]]),
                )
            )

        self.docid = 56300
        for key, spec in site.policies.items():
            for kind, date, time in spec.interps:
                title = f"《{spec.short}》解读" if kind == "text" else f"一图读懂《{spec.short}》"
                d = self.new_doc(
                    title=title,
                    date=date,
                    time=time,
                    source=spec.source,
                    topic=spec.topic,
                    kind="interp" if kind == "text" else "graphic",
                    key=key,
                    policy=policies[key],
                )
                policies[key].interps.append(d)
                zcjd.add(d)

        self.docid = 56400
        fzgh.add(
            self.new_doc(
                title="清河县2026年国民经济和社会发展计划",
                date="2026-03-05",
                time="10:00",
                source="清河县发展和改革局",
                kind="plan",
                topic="国民经济管理、国有资产监管",
                body=paras(
                    news_body(
                        site,
                        "2026计划",
                        "2026年全县经济社会发展主要预期目标："
                        "地区生产总值增长6%左右，一般公共预算收入增长5%。",
                    )
                ),
            ),
            self.new_doc(
                title="清河县国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要",
                date="2024-02-20",
                time="10:00",
                source="清河县发展和改革局",
                kind="plan",
                topic="国民经济管理、国有资产监管",
                body=paras(
                    news_body(
                        site,
                        "十四五纲要",
                        "本纲要是全县人民共同的行动纲领，"
                        "是政府履行经济调节、市场监管、社会管理和公共服务职责的重要依据。",
                    )
                ),
            ),
            self.new_doc(
                title="清河县东部片区发展规划（2021—2035年）",
                date="2023-06-15",
                time="10:00",
                source="清河县发展和改革局",
                kind="plan",
                topic="国民经济管理、国有资产监管",
                body=paras(
                    news_body(
                        site,
                        "东部片区规划",
                        "东部片区包括城东、白沙、柳林三镇，规划面积286平方公里。",
                    )
                ),
            ),
            self.new_doc(
                title="清河县国民经济和社会发展第十三个五年规划纲要",
                date="2016-04-12",
                time="10:00",
                source="清河县发展和改革局",
                kind="plan",
                topic="国民经济管理、国有资产监管",
                body=paras(
                    news_body(
                        site, "十三五纲要", "本纲要阐明“十三五”时期全县经济社会发展的主要目标。"
                    )
                ),
            ),
            # Published only as a PDF that the list links to: no web page.
            self.new_doc(
                title="清河县“十四五”交通运输发展规划",
                date="2022-01-20",
                time="10:00",
                source="清河县交通运输局",
                kind="file",
            ),
        )
        self.docid = 56500
        for date, title in (
            ("2025-03-18", "清河县人民政府关于王建军等同志职务任免的通知"),
            ("2024-11-05", "清河县2024年公开招聘事业单位工作人员拟聘用人员公示"),
            ("2024-06-20", "清河县人民政府关于李红梅等同志职务任免的通知"),
        ):
            rsxx.add(
                self.new_doc(
                    title=title,
                    date=date,
                    time="15:00",
                    source="清河县人力资源和社会保障局",
                    kind="notice",
                    topic="劳动、人事、监察",
                    body=paras(
                        news_body(site, title, "根据工作需要，经研究决定，现将有关事项公布如下。")
                    ),
                )
            )
        self.docid = 56600
        for year, date in ((2024, "2025-01-22"), (2023, "2024-01-25")):
            title = f"清河县人民政府{year}年政府信息公开工作年度报告"
            reports.add(
                self.new_doc(
                    title=title,
                    date=date,
                    time="16:00",
                    source=site.office,
                    kind="report",
                    topic="综合政务\\政务公开",
                    body=annual_report_body(site, title, date),
                )
            )
        self.docid = 56700
        guide.add(
            self.new_doc(
                title="清河县人民政府信息公开指南",
                date="2026-03-20",
                time="09:30",
                source=site.office,
                kind="guide",
                topic="综合政务\\政务公开",
                body=paras(guide_body(site, "2026-03-20")),
            )
        )
        self.docid = 56710
        for title, date in (
            ("清河县政府信息公开保密审查制度", "2026-04-10"),
            ("清河县政府信息主动公开工作制度", "2025-12-08"),
        ):
            system.add(
                self.new_doc(
                    title=title,
                    date=date,
                    time="10:00",
                    source=site.office,
                    kind="system",
                    topic="综合政务\\政务公开",
                    body=paras(system_body(site, title)),
                )
            )

        columns = [news, guide, system, reports, zfwj, zcjd, fzgh, rsxx, kjgh]
        for col in columns:
            self.place(col)
        for d in fzgh.docs:
            if d.kind == "file":
                d.path = f"/attach/0/{d.ymd[:4]}/{d.ymd[4:6]}/{d.docid:x}e3a7c905b1d2.pdf"
                self.out.put(XXGK, d.path, tiny_pdf("Qinghe 14th five-year transport plan"))
        for d in zcjd.docs:
            assert d.policy is not None
            spec = site.policies[d.policy.key]
            if d.kind == "graphic":
                img = f"/picture/0/{d.ymd[2:]}{d.docid}.png"
                self.out.put(XXGK, img, tiny_png((11, 90, 162), 16))
                d.body = graphic_body(site, spec, img)
            else:
                d.body = interp_body(site, spec)

        missing_pdf = "/attach/0/2026/09/6c1f0e2a3b7d4e51.pdf"
        p1 = policies["qh-p1"]
        p1.attachments.append(("清河县农村人居环境整治提升重点任务清单.pdf", missing_pdf))
        good_pdf = "/attach/0/2026/02/b2a9e8d1c4f30a17.pdf"
        self.out.put(XXGK, good_pdf, tiny_pdf("Qinghe high-standard farmland declaration form"))
        policies["qh-p4"].attachments.append(("清河县高标准农田建设项目申报表.pdf", good_pdf))

        for col in columns:
            self.list_page(col)
            for d in col.docs:
                if d.kind != "file":
                    self.detail(d)
        self.www_home(news, zfwj, zcjd)
        self.xxgk_home(zfwj, zcjd, fzgh, rsxx)
        self.pages()
        self.static_files()
        self.plant(policies, zfwj, rsxx, reports, missing_pdf, kjgh)

    def www_home(self, news: Column, zfwj: Column, zcjd: Column) -> None:
        def items(col: Column, n: int, absolute: str = "") -> str:
            return "\n".join(
                f'<li><a href="{absolute}{d.path}" target="_blank" title="{esc(d.title)}">{esc(d.title)}</a>'
                f"<span>{d.date}</span></li>"
                for d in col.docs[:n]
            )

        body = f"""<div class="banner"><img src="/images/qh_banner.png" alt="锦绣清河" /></div>
<div class="w1200 index-main">
<div class="index-news"><div class="tit"><span>清河要闻</span><a href="/col/col1101/index.html" class="more">更多</a></div><ul>
{items(news, 6)}
</ul></div>
<div class="index-zwgk"><div class="tit"><span>政府文件</span><a href="{ABS_XXGK}/col/col1234/index.html" class="more">更多</a></div><ul>
{items(zfwj, 5, ABS_XXGK)}
</ul></div>
<div class="index-zcjd"><div class="tit"><span>政策解读</span><a href="{ABS_XXGK}/col/col1235/index.html" class="more">更多</a></div><ul>
{items(zcjd, 3, ABS_XXGK)}
</ul></div>
<div class="index-rk"><a href="{ABS_XXGK}/" target="_blank">政府信息公开平台</a><a href="/zjqh/">走进清河</a></div>
<div class="yqlj"><span>友情链接：</span><a href="http://www.closed-dept.gov.test/" target="_blank">清河县粮食局</a></div>
</div>"""
        self.emit(WWW, "/", self.page(WWW, WEBNAME, "首页", body))

    def xxgk_home(self, zfwj: Column, zcjd: Column, fzgh: Column, rsxx: Column) -> None:
        def items(col: Column, n: int) -> str:
            return "\n".join(
                f'<li><a href="{d.path}" target="_blank" title="{esc(d.title)}">{esc(d.title)}</a>'
                f"<span>{d.date}</span></li>"
                for d in col.docs[:n]
            )

        body = f"""<div class="w1200 main">
<div class="xxgk-banner">清河县政府信息公开</div>
{self.xxgk_left()}<div class="main-r">
<div class="xxgk-box"><div class="tit"><span>政府文件</span><a href="/col/col1234/index.html">更多</a></div><ul>
{items(zfwj, 5)}
</ul></div>
<div class="xxgk-box"><div class="tit"><span>政策解读</span><a href="/col/col1235/index.html">更多</a></div><ul>
{items(zcjd, 4)}
</ul></div>
<div class="xxgk-box"><div class="tit"><span>发展规划</span><a href="/col/col1236/index.html">更多</a></div><ul>
{items(fzgh, 2)}
</ul></div>
<div class="xxgk-box"><div class="tit"><span>人事信息</span><a href="/col/col1237/index.html">更多</a></div><ul>
{items(rsxx, 3)}
</ul></div>
</div>
</div>"""
        self.emit(XXGK, "/", self.page(XXGK, f"政府信息公开 {WEBNAME}", "政府信息公开", body))

    def pages(self) -> None:
        path = "/col/col1203/index.html"
        subs = [
            ("政府文件", 1234),
            ("政策解读", 1235),
            ("发展规划", 1236),
            ("国土空间规划", 1238),
            ("人事信息", 1237),
        ]
        lis = "\n".join(f'<li><a href="/col/col{c}/index.html">{n}</a></li>' for n, c in subs)
        body = f"""<div class="w1200 main">
{self.position([("法定主动公开内容", path)])}
{self.xxgk_left()}<div class="main-r"><div class="lm-tit"><span>法定主动公开内容</span></div>
<ul class="fdzdgk">
{lis}
</ul></div>
</div>"""
        self.emit(
            XXGK, path, self.page(XXGK, f"法定主动公开内容 {WEBNAME}", "法定主动公开内容", body)
        )

        # 走进清河: reached only through the /zjqh/ redirect chain.
        path = "/col/col1105/index.html"
        text = paras(
            [
                "清河县位于东海省中部，因清河贯穿全境而得名，县域面积1862平方公里，辖9镇5乡，户籍人口46.8万人。",
                "清河县历史悠久，自唐代设县，至今已有1300余年历史，是省级历史文化名城。",
                "全县森林覆盖率达63.5%，先后获评国家生态文明建设示范县、全国休闲农业重点县。",
            ]
        )
        body = f"""<div class="w1200 main">
{self.position([("走进清河", path)])}
<div class="article"><div class="title">清河概况</div>
<div id="zoom">{text}</div></div>
</div>"""
        self.emit(WWW, path, self.page(WWW, f"走进清河 {WEBNAME}", "走进清河", body))

        path = "/admin/login.html"
        body = """<div class="w1200 login"><h2>大汉网络内容管理系统</h2>
<form method="post" action="login.html"><p>帐号：<input type="text" name="loginname" /></p>
<p>密码：<input type="password" name="password" /></p><p><input type="submit" value="登录" /></p></form></div>"""
        self.emit(WWW, path, self.page(WWW, "用户登录", "后台", body))

    def static_files(self) -> None:
        for host in (WWW, XXGK):
            self.out.put(host, "/robots.txt", b"User-agent: *\nDisallow: /admin/\n")
            self.out.put(host, "/images/qh_base.css", BASE_CSS.encode("utf-8"))
            self.out.put(host, "/images/qh_logo.png", tiny_png((11, 90, 162), 16))
            self.out.put(host, "/module/jslib/jquery/jquery.js", JQUERY_STUB.encode("utf-8"))
            self.out.put(host, "/module/web/jpage/jpage.js", JPAGE_JS.encode("utf-8"))
        self.out.put(WWW, "/images/qh_banner.png", tiny_png((60, 140, 200), 32))

    def plant(
        self,
        policies: dict[str, Doc],
        zfwj: Column,
        rsxx: Column,
        reports: Column,
        missing_pdf: str,
        kjgh: Column,
    ) -> None:
        p = self.planted
        p.defect(
            SITE,
            "structure",
            "annual_report_missing",
            url_of(XXGK, reports.path + "index.html"),
            "200",
            "信息公开年报栏目最新为2024年度报告，未发布2025年度政府信息公开工作年度报告。",
        )
        p1 = policies["qh-p1"]
        p.defect(
            SITE,
            "links",
            "http_4xx",
            url_of(XXGK, missing_pdf),
            "404",
            "政策文件附件PDF不存在（404）。",
            source=url_of(XXGK, p1.path),
        )
        p.defect(
            SITE,
            "links",
            "dns_error",
            "http://www.closed-dept.gov.test/",
            "nxdomain",
            "首页友情链接“清河县粮食局”指向已关停网站，域名无法解析（NXDOMAIN）。",
            source=url_of(WWW, "/"),
        )
        q3 = policies["qh-p3"]
        index = zfwj.docs.index(q3) + 1
        p.defect(
            SITE,
            "interpretation",
            "missing",
            url_of(XXGK, q3.path),
            "200",
            f"{q3.wenhao}未发布政策解读。该文件是“政府文件”栏目第{index}条，"
            f"只能通过jpage的dataproxy.jsp分页数据访问到。",
        )
        p.defect(
            SITE,
            "freshness",
            "column_stale",
            url_of(XXGK, rsxx.path + "index.html"),
            "200",
            f"“人事信息”栏目最新信息发布于{rsxx.docs[0].date}，超过一年半未更新。",
        )
        blank = url_of(XXGK, kjgh.path + "index.html")
        p.defect(
            SITE,
            "freshness",
            "column_blank",
            blank,
            "200",
            "“国土空间规划”栏目页面只有“暂无信息”提示，没有任何信息（空白栏目）。",
        )
        p.defect(
            SITE,
            "planning",
            "column_blank",
            blank,
            "200",
            "规划信息下的“国土空间规划”子栏目为空白栏目。",
        )
        p.defect(
            SITE,
            "planning",
            "plan_missing",
            blank,
            "200",
            "未公开国土空间总体规划：“国土空间规划”栏目为空，其他栏目也没有。"
            "（“发展规划”栏目中的“十四五”交通运输发展规划只有PDF附件，是专项规划，不是规划纲要。）",
        )
        # The check lists the items missing an element in URL order.
        unindexed = sorted(url_of(XXGK, d.path) for d in rsxx.docs)
        p.defect(
            SITE,
            "metadata",
            "index_no_missing",
            unindexed[0],
            "200",
            f"“人事信息”栏目模板的索引号一栏为空，{len(unindexed)}条信息均未标注索引号。",
        )
        first, *_ = C.REDIRECTS
        p.trap(
            SITE,
            url_of(*first),
            "redirect",
            "“走进清河”链接经301→302两次跳转到 /col/col1105/index.html（200），不是死链。",
            final=url_of(WWW, "/col/col1105/index.html"),
        )
        hidden = zfwj.docs[zfwj.per_page]
        p.trap(
            SITE,
            url_of(XXGK, hidden.path),
            "200",
            f"“政府文件”栏目共{len(zfwj.docs)}条，列表页静态数据只含前{zfwj.per_page}条；"
            "其余记录只能通过 POST /module/web/jpage/dataproxy.jsp 取得。",
            list=url_of(XXGK, zfwj.path + "index.html"),
        )


# 政府文件 that are not policy documents (no 《》 and no interpretation needed).
GOV_DOCS = (
    (
        "2026-11-18",
        "清河县人民政府关于划定高污染燃料禁燃区的通告",
        "清政告〔2026〕3号",
        "清河县人民政府",
        "城乡建设、环境保护",
    ),
    (
        "2026-11-03",
        "清河县人民政府关于同意设立清河县城南街道社区卫生服务中心的批复",
        "清政函〔2026〕41号",
        "清河县人民政府",
        "卫生、体育",
    ),
    (
        "2026-10-21",
        "清河县人民政府办公室关于做好2026—2027年度冬春农田水利基本建设工作的通知",
        "清政办发〔2026〕19号",
        "清河县人民政府办公室",
        "农业、林业、水利",
    ),
    (
        "2026-10-09",
        "清河县人民政府关于表彰2025年度全县安全生产工作先进单位的决定",
        "清政发〔2026〕10号",
        "清河县人民政府",
        "安全生产监管",
    ),
    (
        "2026-09-02",
        "清河县人民政府办公室关于调整清河县防汛抗旱指挥部成员的通知",
        "清政办函〔2026〕33号",
        "清河县人民政府办公室",
        "农业、林业、水利",
    ),
    (
        "2026-08-19",
        "清河县人民政府关于公布县级行政许可事项清单（2026年版）的通知",
        "清政发〔2026〕7号",
        "清河县人民政府",
        "综合政务",
    ),
    (
        "2026-07-28",
        "清河县人民政府关于加强秋冬季森林防火工作的通告",
        "清政告〔2026〕2号",
        "清河县人民政府",
        "农业、林业、水利",
    ),
    (
        "2026-07-06",
        "清河县人民政府办公室关于成立清河县第四次全国农业普查领导小组的通知",
        "清政办函〔2026〕21号",
        "清河县人民政府办公室",
        "统计",
    ),
    (
        "2026-05-25",
        "清河县人民政府关于同意清河经济开发区调整规划范围的批复",
        "清政函〔2026〕18号",
        "清河县人民政府",
        "工业、交通",
    ),
    (
        "2026-05-08",
        "清河县人民政府办公室关于开展2026年“双随机、一公开”联合抽查工作的通知",
        "清政办函〔2026〕14号",
        "清河县人民政府办公室",
        "市场监管",
    ),
    (
        "2026-03-24",
        "清河县人民政府关于2026年县政府重点工作任务分工的通知",
        "清政发〔2026〕4号",
        "清河县人民政府",
        "综合政务",
    ),
    (
        "2026-03-02",
        "清河县人民政府关于2025年度县政府目标管理考核结果的通报",
        "清政发〔2026〕2号",
        "清河县人民政府",
        "综合政务",
    ),
    (
        "2026-01-21",
        "清河县人民政府关于做好2026年春节期间安全生产工作的通知",
        "清政明电〔2026〕1号",
        "清河县人民政府",
        "安全生产监管",
    ),
    (
        "2026-01-08",
        "清河县人民政府关于取消和调整一批行政许可事项的决定",
        "清政发〔2026〕1号",
        "清河县人民政府",
        "综合政务",
    ),
)


def build_qinghe(out: Output, planted: Planted, jpage: dict[str, object], site: SiteData) -> None:
    Qinghe(out, planted, jpage, site).build()
