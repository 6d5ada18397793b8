"""寒山市人民政府: a TRS WCM site published as GBK (GB2312-declared) HTML."""

# ruff: noqa: E501 -- the HTML templates keep the line layout of the CMS output they imitate.

from __future__ import annotations

from zwgk.sample import catalog as C
from zwgk.sample.gen.content import (
    SiteData,
    annual_report_body,
    graphic_body,
    guide_body,
    interp_body,
    news_body,
    policy_body,
)
from zwgk.sample.gen.kit import (
    Column,
    Doc,
    Output,
    Planted,
    conac_script,
    esc,
    paras,
    rel,
    tiny_png,
    url_of,
)

HOST = C.HANSHAN
SITE = "hanshan"
ABS = f"http://{HOST}"

TRS_STYLE = (
    '<style type="text/css">.TRS_Editor P{margin-top:0px;margin-bottom:12px;line-height:1.8;'
    "font-family:宋体;font-size:12pt;}.TRS_Editor TD{font-size:12pt;}</style>"
)

COMMON_JS = r"""/* 寒山市人民政府网站公共脚本 */
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
"""

STYLE_CSS = """@charset "gb2312";
body{margin:0;padding:0;font-size:12px;font-family:"宋体";color:#333;}
.w1000{width:1000px;margin:0 auto;}
.top{height:30px;line-height:30px;background:#f2f2f2;}
.fl{float:left;}.fr{float:right;}
.nav{background:#b3121d;height:40px;}
.nav li{float:left;list-style:none;width:150px;text-align:center;line-height:40px;}
.nav a{color:#fff;font-size:16px;text-decoration:none;}
.position{height:36px;line-height:36px;border-bottom:1px solid #ddd;}
.list li{height:32px;line-height:32px;border-bottom:1px dashed #ccc;}
.list li span{float:right;color:#999;}
.xxgk_table{border-collapse:collapse;width:100%;margin:10px 0;}
.xxgk_table td{border:1px solid #d6d6d6;padding:6px;}
.detail_title{font-size:22px;text-align:center;color:#b3121d;}
.footer{border-top:3px solid #b3121d;text-align:center;line-height:26px;padding:10px 0;}
"""


class Hanshan:
    def __init__(self, out: Output, planted: Planted, site: SiteData) -> None:
        self.out = out
        self.planted = planted
        self.site = site
        self.docid = 140100

    # -- chrome ---------------------------------------------------------------

    def page(self, path: str, title: str, column: str, body: str, metas: str = "") -> str:
        def r(p: str) -> str:
            return rel(path, p)

        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=gb2312" />
<meta http-equiv="X-UA-Compatible" content="IE=EmulateIE7" />
<title>{esc(title)}</title>
<meta name="SiteName" content="寒山市人民政府" />
<meta name="SiteDomain" content="{HOST}" />
<meta name="SiteIDCode" content="{self.site.site_code}" />
<meta name="ColumnName" content="{esc(column)}" />
<meta name="ColumnType" content="{esc(column)}" />
{metas}<link href="{r("/images/hs_style.css")}" rel="stylesheet" type="text/css" />
<script type="text/javascript" src="{r("/images/hs_common.js")}"></script>
</head>
<body>
<div class="top"><div class="w1000"><span class="fl"><script type="text/javascript">showDate();</script></span><span class="fr"><a href="javascript:void(0)" onclick="SetHome(this,window.location)">设为首页</a> | <a href="javascript:void(0)" onclick="AddFavorite(window.location,document.title)">加入收藏</a> | <a href="javascript:;" id="wza">无障碍浏览</a></span></div></div>
<div class="header w1000"><a href="{ABS}/"><img src="{r("/images/hs_logo.png")}" alt="寒山市人民政府" border="0" /></a></div>
<div class="nav w1000"><ul>
<li><a href="{ABS}/">首页</a></li>
<li><a href="{ABS}/xwzx/">新闻中心</a></li>
<li><a href="{ABS}/zwgk/">政务公开</a></li>
<li><a href="{r("/zwgk/zcwj/")}">政策文件</a></li>
<li><a href="{r("/zwgk/zcjd/")}">政策解读</a></li>
<li><a href="{r("/zwgk/jytabl/")}">建议提案</a></li>
</ul></div>
{body}
<div class="footer"><div class="w1000">
<p><a href="{r("/zwgk/")}">政府信息公开</a> | <a href="{r("/admin/login.html")}">网站管理</a></p>
<p>主办单位：{self.site.office}　　承办单位：寒山市大数据中心</p>
<p>网站标识码：{self.site.site_code}　　{self.site.icp}　　<img src="{r("/images/hs_ga.png")}" alt="" />{self.site.police}</p>
<p>地址：{self.site.address}　　邮编：{self.site.postcode}　　联系电话：{self.site.phone}</p>
<p>{conac_script(self.site.site_code)}</p>
</div></div>
</body>
</html>
"""

    def emit(self, path: str, text: str) -> None:
        data = text.encode("gbk")
        # Declared gb2312, so the bytes must decode as strict GB2312 too (GBK's
        # A1AA is U+2014 where GB2312 says U+2015; both codecs accept it).
        data.decode("gb2312")
        self.out.put(HOST, path, data)

    def crumbs(self, path: str, trail: list[tuple[str, str]]) -> str:
        parts = [f'<a href="{rel(path, "/")}" title="首页" class="CurrChnlCls">首页</a>']
        for name, p in trail:
            parts.append(
                f'<a href="{rel(path, p)}" title="{esc(name)}" class="CurrChnlCls">{esc(name)}</a>'
            )
        return '<div class="position">当前位置：' + "&nbsp;&gt;&nbsp;".join(parts) + "</div>"

    def zwgk_side(self, path: str) -> str:
        items = [
            ("政府信息公开指南", "/zwgk/xxgkzn/"),
            ("政府信息公开制度", "/zwgk/xxgkzd/"),
            ("法定主动公开内容", "/zwgk/fdzdgknr/"),
            ("政府信息公开年报", "/zwgk/xxgknb/"),
        ]
        lis = "".join(f'<li><a href="{rel(path, p)}">{n}</a></li>' for n, p in items)
        return (
            f'<div class="list_left"><div class="left_title">政府信息公开</div><ul>{lis}</ul></div>'
        )

    # -- documents --------------------------------------------------------------

    def new_doc(self, **kw: object) -> Doc:
        self.docid += 1
        d = Doc(docid=self.docid, **kw)  # type: ignore[arg-type]
        return d

    def place(self, col: Column) -> None:
        for d in col.docs:
            d.path = f"{col.path}{d.yyyymm}/t{d.ymd}_{d.docid}.html"

    def list_pages(self, col: Column) -> None:
        chunks = col.pages()
        for i, docs in enumerate(chunks):
            path = col.path if i == 0 else f"{col.path}index_{i}.html"
            lis = "\n".join(
                f'<li><span>{d.date}</span><a href="{rel(path, d.path)}" target="_blank" '
                f'title="{esc(d.title)}">{esc(d.title)}</a></li>'
                for d in docs
            )
            side = self.zwgk_side(path) if col.path.startswith("/zwgk/") else ""
            body = f"""<div class="main w1000">
{self.crumbs(path, [*col.crumbs, (col.name, col.path)])}
{side}<div class="list_right">
<div class="lm_title"><span>{esc(col.name)}</span></div>
<ul class="list">
{lis}
</ul>
<div class="page"><script type="text/javascript">createPageHTML({len(chunks)}, {i}, "index", "html");</script></div>
</div>
</div>"""
            self.emit(path, self.page(path, f"{col.name}_寒山市人民政府", col.name, body))

    def detail(self, d: Doc) -> None:
        assert d.column is not None
        col = d.column
        path = d.path
        metas = (
            f'<meta name="ArticleTitle" content="{esc(d.title)}" />\n'
            f'<meta name="PubDate" content="{d.pubdate}" />\n'
            f'<meta name="ContentSource" content="{esc(d.source)}" />\n'
            '<meta name="Keywords" content="" />\n<meta name="Author" content="" />\n'
            f'<meta name="Url" content="{ABS}{path}" />\n'
        )
        table = ""
        if col.path.startswith("/zwgk/"):
            table = f"""<div class="xxgk_detail"><table class="xxgk_table" border="0" cellspacing="0" cellpadding="0">
<tr><td class="td_name" width="12%">索引号：</td><td width="38%">{self.site.credit_code}/{d.date[:4]}-{d.docid % 100000:05d}</td><td class="td_name" width="12%">主题分类：</td><td width="38%">{esc(d.topic or "综合政务")}</td></tr>
<tr><td class="td_name">发布机构：</td><td>{esc(d.source)}</td><td class="td_name">成文日期：</td><td>{d.written or d.date}</td></tr>
<tr><td class="td_name">文号：</td><td>{esc(d.wenhao)}</td><td class="td_name">发布日期：</td><td>{d.date}</td></tr>
<tr><td class="td_name">名称：</td><td colspan="3">{esc(d.title)}</td></tr>
</table></div>
"""
        extra = ""
        if d.attachments:
            lis = "".join(f'<li><a href="{esc(h)}">{esc(n)}</a></li>' for n, h in d.attachments)
            extra += f'<div class="fj"><span>附件：</span><ul>{lis}</ul></div>\n'
        if d.interps:
            lis = "".join(
                f'<li><a href="{rel(path, i.path)}" target="_blank" title="{esc(i.title)}">'
                f"{esc(i.title)}</a></li>"
                for i in d.interps
            )
            extra += (
                f'<div class="xgjd"><div class="xgjd_title">相关解读</div><ul>{lis}</ul></div>\n'
            )
        if d.policy is not None:
            p = d.policy
            extra += (
                f'<div class="xgwj"><div class="xgwj_title">相关文件</div><ul><li>'
                f'<a href="{rel(path, p.path)}" target="_blank">{esc(p.title)}</a></li></ul></div>\n'
            )
        if d.related:
            lis = "".join(
                f'<li><a href="{h}" target="_blank">{esc(t)}</a></li>' for t, h in d.related
            )
            extra += (
                f'<div class="xgyd"><div class="xgyd_title">相关阅读</div><ul>{lis}</ul></div>\n'
            )
        body = f"""<div class="main w1000">
{self.crumbs(path, [*col.crumbs, (col.name, col.path)])}
{table}<div class="detail">
<h1 class="detail_title">{esc(d.title)}</h1>
<div class="detail_info">发布时间：{d.pubdate}　　来源：{esc(d.source)}　　【字体：<a href="javascript:doZoom(16)">大</a> <a href="javascript:doZoom(14)">中</a> <a href="javascript:doZoom(12)">小</a>】　<a href="javascript:window.print()">打印本页</a></div>
<div class="detail_content" id="Zoom">
<div class=TRS_Editor>{TRS_STYLE}{d.body}</div>
</div>
{extra}<div class="close"><a href="javascript:window.close()">【关闭窗口】</a></div>
</div>
</div>"""
        self.emit(
            path, self.page(path, f"{d.title}_{col.name}_寒山市人民政府", col.name, body, metas)
        )

    # -- the site -----------------------------------------------------------------

    def build(self) -> None:
        site = self.site
        xwzx = ("新闻中心", "/xwzx/")
        zwgk = ("政务公开", "/zwgk/")
        hsyw = Column("寒山要闻", "/xwzx/hsyw/", HOST, crumbs=[xwzx], per_page=5)
        zcwj = Column("政策文件", "/zwgk/zcwj/", HOST, crumbs=[zwgk], per_page=4)
        zcjd = Column("政策解读", "/zwgk/zcjd/", HOST, crumbs=[zwgk])
        tzgg = Column("通知公告", "/zwgk/tzgg/", HOST, crumbs=[zwgk])
        jytabl = Column("建议提案办理", "/zwgk/jytabl/", HOST, crumbs=[zwgk])
        ghjh = Column("规划计划", "/zwgk/ghjh/", HOST, crumbs=[zwgk])
        xxgknb = Column("政府信息公开年报", "/zwgk/xxgknb/", HOST, crumbs=[zwgk])
        xxgkzn = Column("政府信息公开指南", "/zwgk/xxgkzn/", HOST, crumbs=[zwgk])

        for n in site.news:
            hsyw.add(
                self.new_doc(
                    title=n.title,
                    date=n.date,
                    time=n.time,
                    source="寒山日报",
                    body=paras(news_body(site, n.title, n.lead)),
                )
            )

        self.docid = 140200
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
            zcwj.add(d)
        self.docid = 140210
        zcwj.add(
            self.new_doc(
                title="寒山市人民政府关于公布寒山市第二批市级非物质文化遗产代表性项目名录的通知",
                date="2026-09-15",
                time="11:00",
                source="寒山市人民政府",
                wenhao="寒政〔2026〕21号",
                written="2026-09-10",
                topic="文化、广电、新闻出版",
                kind="notice",
                body=paras(
                    [
                        f"{site.units}：",
                        "为进一步加强非物质文化遗产保护工作，市人民政府批准寒山剪纸等16个项目为第二批市级"
                        "非物质文化遗产代表性项目，现予公布。",
                        "各地各部门要坚持保护为主、抢救第一、合理利用、传承发展的方针，切实做好非物质文化遗产的保护、传承工作。",
                    ]
                ),
            ),
            self.new_doc(
                title="寒山市人民政府关于同意寒山经济开发区扩区调位的批复",
                date="2026-04-02",
                time="16:00",
                source="寒山市人民政府",
                wenhao="寒政函〔2026〕15号",
                written="2026-03-30",
                topic="工业、交通\\其他",
                kind="notice",
                body=paras(
                    [
                        "寒山经济开发区管委会：",
                        "你委《关于寒山经济开发区扩区调位的请示》收悉。经研究，原则同意寒山经济开发区扩区调位方案。",
                        "请你委严格落实耕地保护和生态环境保护要求，集约节约利用土地，推动开发区高质量发展。",
                    ]
                ),
            ),
        )

        self.docid = 140300
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

        self.docid = 140500
        for title, date, time, source, lead in (
            (
                "关于寒山市2026—2027年度冬季供暖工作的通告",
                "2026-11-24",
                "10:00",
                "寒山市城市管理局",
                "根据《寒山市城市供热管理办法》，经市政府同意，我市2026—2027年度供暖期为2026年11月15日至2027年3月15日。",
            ),
            (
                "寒山市自然资源和规划局关于寒山市中心城区控制性详细规划（局部调整）的批前公示",
                "2026-10-30",
                "15:00",
                "寒山市自然资源和规划局",
                "为广泛听取社会各界意见，现将寒山市中心城区控制性详细规划（局部调整）方案予以批前公示，公示期30日。",
            ),
            (
                "寒山市政府投资评审中心2026年公开招聘编外工作人员公告",
                "2026-09-12",
                "09:00",
                "寒山市财政局",
                "因工作需要，寒山市政府投资评审中心面向社会公开招聘编外工作人员5名。",
            ),
            (
                "关于进一步加强夏季防溺水工作的通告",
                "2026-06-20",
                "10:30",
                "寒山市教育局",
                "为切实做好夏季防溺水工作，保障人民群众特别是中小学生生命安全，现就有关事项通告如下。",
            ),
        ):
            tzgg.add(
                self.new_doc(
                    title=title,
                    date=date,
                    time=time,
                    source=source,
                    kind="notice",
                    body=paras(news_body(site, title, lead)),
                )
            )

        self.docid = 140402
        reply_body = paras(
            [
                "李建国代表：",
                "您提出的《关于优化城区公交线路的建议》（第404号）收悉。现答复如下：",
                "一、关于优化公交线路。我局已会同市公交集团完成城区公交线网优化方案，新开通线路3条，调整线路5条。",
                "二、关于增加早晚高峰班次。自2026年9月起，城区主要线路早晚高峰发车间隔缩短至8分钟以内。",
                "感谢您对交通运输工作的关心和支持。",
                '<p style="text-align: right;">寒山市交通运输局</p><p style="text-align: right;">2026年8月18日</p>',
                "（联系人：王明；联系电话：0712-8225566）",
            ]
        )
        jytabl.add(
            self.new_doc(
                title="关于市政协十二届五次会议第118号提案答复的函",
                date="2026-07-25",
                time="10:00",
                source="寒山市教育局",
                kind="reply",
                topic="教育",
                body=paras(
                    news_body(
                        site,
                        "第118号提案",
                        "您提出的《关于加强中小学课后服务的提案》（第118号）收悉，现答复如下。",
                    )
                ),
            ),
        )
        self.docid = 140403
        trap_404 = self.new_doc(
            title="关于第404号建议的答复的函",
            date="2026-08-18",
            time="11:20",
            source="寒山市交通运输局",
            kind="reply",
            topic="交通",
            body=reply_body,
        )
        jytabl.add(trap_404)

        self.docid = 140600
        for title, date, source, lead in (
            (
                "寒山市2026年国民经济和社会发展计划",
                "2026-02-10",
                "寒山市发展和改革委员会",
                "2026年是“十五五”规划开局之年。全市经济社会发展的主要预期目标是：地区生产总值增长5.5%左右。",
            ),
            (
                "寒山市国土空间总体规划（2021—2035年）",
                "2025-08-12",
                "寒山市自然资源和规划局",
                "《寒山市国土空间总体规划（2021—2035年）》已经省人民政府批复，现予以公布。",
            ),
            (
                "寒山市国民经济和社会发展第十四个五年规划和2035年远景目标纲要",
                "2024-03-05",
                "寒山市发展和改革委员会",
                "本纲要根据《中共寒山市委关于制定寒山市国民经济和社会发展第十四个五年规划和2035年远景目标的建议》编制。",
            ),
            # A field's "十四五" plan: a 专项规划, not the outline.
            (
                "寒山市“十四五”交通运输发展规划",
                "2022-03-18",
                "寒山市交通运输局",
                "本规划是指导“十四五”时期全市交通运输发展的专项规划，规划期为2021—2025年。",
            ),
            (
                "寒山市西部生态经济区发展规划（2022—2030年）",
                "2022-09-06",
                "寒山市发展和改革委员会",
                "西部生态经济区包括白石、青峰、云溪三个乡镇，是全市生态保护和绿色发展的重点区域。",
            ),
            (
                "寒山市国民经济和社会发展第十三个五年规划纲要",
                "2016-03-10",
                "寒山市发展和改革委员会",
                "本纲要阐明“十三五”时期全市经济社会发展的战略意图和主要任务，规划期为2016—2020年。",
            ),
        ):
            ghjh.add(
                self.new_doc(
                    title=title,
                    date=date,
                    time="10:00",
                    source=source,
                    kind="plan",
                    topic="国民经济管理、国有资产监管",
                    body=paras(news_body(site, title, lead)),
                )
            )

        self.docid = 140700
        for year, date in ((2025, "2026-01-20"), (2024, "2025-01-18"), (2023, "2024-01-19")):
            title = f"寒山市人民政府{year}年政府信息公开工作年度报告"
            xxgknb.add(
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
        self.docid = 140800
        xxgkzn.add(
            self.new_doc(
                title="寒山市人民政府信息公开指南",
                date="2026-06-08",
                time="09:00",
                source=site.office,
                kind="guide",
                topic="综合政务\\政务公开",
                body=paras(guide_body(site, "2026-06-08")),
            )
        )

        columns = [hsyw, zcwj, zcjd, tzgg, jytabl, ghjh, xxgknb, xxgkzn]
        for col in columns:
            self.place(col)
        for d in zcjd.docs:
            if d.kind == "graphic":
                assert d.policy is not None
                img = f"/zwgk/zcjd/{d.yyyymm}/W0{d.ymd}3510265400{d.docid % 100}.png"
                self.out.put(HOST, img, tiny_png((230, 120, 40), 16))
                d.body = graphic_body(site, site.policies[d.policy.key], rel(d.path, img))
            elif d.kind == "interp":
                assert d.policy is not None
                d.body = interp_body(site, site.policies[d.policy.key])

        # Planted: a link to a long-deleted article that the CMS answers with
        # an error page and status 200.
        ((_, soft_path),) = C.SOFT_404
        hsyw.docs[3].related.append(
            ("我市召开2023年安全生产工作会议", rel(hsyw.docs[3].path, soft_path))
        )

        for col in columns:
            self.list_pages(col)
            for d in col.docs:
                self.detail(d)
        self.home(hsyw, zcwj, zcjd, tzgg)
        self.hubs(hsyw, zcwj, zcjd, tzgg)
        self.static_files()
        self.plant(hsyw, policies, trap_404, soft_path)

    def home(self, hsyw: Column, zcwj: Column, zcjd: Column, tzgg: Column) -> None:
        path = "/"

        def items(col: Column, n: int) -> str:
            return "\n".join(
                f'<li><span>{d.date[5:]}</span><a href="{rel(path, d.path)}" target="_blank" '
                f'title="{esc(d.title)}">{esc(d.title)}</a></li>'
                for d in col.docs[:n]
            )

        body = f"""<div class="banner w1000"><img src="images/banner_2026.jpg" width="1000" height="120" alt="奋进新征程 建功新时代" /></div>
<div class="index_box w1000">
<div class="box_l"><div class="box_title"><span>寒山要闻</span><a href="xwzx/hsyw/" class="more">更多&gt;&gt;</a></div><ul class="list">
{items(hsyw, 5)}
</ul></div>
<div class="box_r"><div class="box_title"><span>通知公告</span><a href="zwgk/tzgg/" class="more">更多&gt;&gt;</a></div><ul class="list">
{items(tzgg, 4)}
</ul></div>
</div>
<div class="index_box w1000">
<div class="box_l"><div class="box_title"><span>政策文件</span><a href="zwgk/zcwj/" class="more">更多&gt;&gt;</a></div><ul class="list">
{items(zcwj, 4)}
</ul></div>
<div class="box_r"><div class="box_title"><span>政策解读</span><a href="zwgk/zcjd/" class="more">更多&gt;&gt;</a></div><ul class="list">
{items(zcjd, 4)}
</ul></div>
</div>
<div class="zt w1000"><div class="box_title"><span>专题专栏</span></div>
<a href="zwgk/" class="zwgk_entry">政府信息公开专栏</a>
<a href="zt/2024lh/">2024年寒山两会专题</a>
<a href="zwgk/jytabl/">建议提案办理</a>
</div>"""
        self.emit(path, self.page(path, "寒山市人民政府", "首页", body))

    def hubs(self, hsyw: Column, zcwj: Column, zcjd: Column, tzgg: Column) -> None:
        # 新闻中心
        path = "/xwzx/"
        lis = "\n".join(
            f'<li><span>{d.date}</span><a href="{rel(path, d.path)}" target="_blank">{esc(d.title)}</a></li>'
            for d in hsyw.docs[:5]
        )
        body = f"""<div class="main w1000">
{self.crumbs(path, [("新闻中心", path)])}
<div class="box_title"><span>寒山要闻</span><a href="./hsyw/" class="more">更多&gt;&gt;</a></div>
<ul class="list">
{lis}
</ul>
</div>"""
        self.emit(path, self.page(path, "新闻中心_寒山市人民政府", "新闻中心", body))

        # 政府信息公开专栏
        path = "/zwgk/"

        def items(col: Column, n: int) -> str:
            return "\n".join(
                f'<li><span>{d.date}</span><a href="{rel(path, d.path)}" target="_blank" '
                f'title="{esc(d.title)}">{esc(d.title)}</a></li>'
                for d in col.docs[:n]
            )

        body = f"""<div class="main w1000">
{self.crumbs(path, [("政务公开", path)])}
<div class="zwgk_top"><div class="zwgk_title">寒山市人民政府信息公开专栏</div>
<ul class="zwgk_nav">
<li><a href="./xxgkzn/">政府信息公开指南</a></li>
<li><a href="./xxgkzd/">政府信息公开制度</a></li>
<li><a href="./fdzdgknr/">法定主动公开内容</a></li>
<li><a href="./xxgknb/">政府信息公开年报</a></li>
<li><a href="javascript:;" onclick="alert('依申请公开系统升级中，请通过信函方式提交申请。')">依申请公开</a></li>
</ul></div>
<div class="box_l"><div class="box_title"><span>政策文件</span><a href="./zcwj/" class="more">更多</a></div><ul class="list">
{items(zcwj, 5)}
</ul></div>
<div class="box_r"><div class="box_title"><span>政策解读</span><a href="./zcjd/" class="more">更多</a></div><ul class="list">
{items(zcjd, 5)}
</ul></div>
<div class="box_l"><div class="box_title"><span>通知公告</span><a href="./tzgg/" class="more">更多</a></div><ul class="list">
{items(tzgg, 4)}
</ul></div>
</div>"""
        self.emit(path, self.page(path, "政府信息公开_寒山市人民政府", "政府信息公开", body))

        # 法定主动公开内容
        path = "/zwgk/fdzdgknr/"
        subs = [
            ("机构职能", "/zwgk/jgzn/"),
            ("政策文件", "/zwgk/zcwj/"),
            ("政策解读", "/zwgk/zcjd/"),
            ("规划计划", "/zwgk/ghjh/"),
            ("通知公告", "/zwgk/tzgg/"),
            ("建议提案办理", "/zwgk/jytabl/"),
        ]
        lis = "\n".join(f'<li><a href="{rel(path, p)}">{n}</a></li>' for n, p in subs)
        body = f"""<div class="main w1000">
{self.crumbs(path, [("政务公开", "/zwgk/"), ("法定主动公开内容", path)])}
{self.zwgk_side(path)}<div class="list_right"><div class="lm_title"><span>法定主动公开内容</span></div>
<ul class="fdzdgk_list">
{lis}
</ul></div>
</div>"""
        self.emit(
            path, self.page(path, "法定主动公开内容_寒山市人民政府", "法定主动公开内容", body)
        )

        # 机构职能 (a single content page)
        path = "/zwgk/jgzn/"
        text = paras(
            [
                "寒山市人民政府是市人民代表大会的执行机关，是本市的国家行政机关，对市人民代表大会和省人民政府负责并报告工作。",
                "主要职责：执行市人民代表大会及其常务委员会的决议，以及上级国家行政机关的决定和命令；"
                "管理本市的经济、教育、科学、文化、卫生、体育事业、城乡建设事业和财政、民政、公安、民族事务、"
                "司法行政、监察、计划生育等行政工作。",
                f"办公地址：{self.site.address}　　办公时间：工作日8:30—12:00，14:30—17:30　　联系电话：{self.site.phone}",
            ]
        )
        body = f"""<div class="main w1000">
{self.crumbs(path, [("政务公开", "/zwgk/"), ("机构职能", path)])}
{self.zwgk_side(path)}<div class="list_right"><div class="lm_title"><span>机构职能</span></div>
<div class="detail_content" id="Zoom"><div class=TRS_Editor>{TRS_STYLE}{text}</div></div>
</div>
</div>"""
        self.emit(path, self.page(path, "机构职能_寒山市人民政府", "机构职能", body))

        # 后台登录: exists, linked from every footer, and disallowed by robots.txt.
        path = "/admin/login.html"
        body = """<div class="login w1000"><h2>寒山市人民政府网站内容管理系统</h2>
<form method="post" action="login.html"><p>用户名：<input type="text" name="username" /></p>
<p>密　码：<input type="password" name="password" /></p><p><input type="submit" value="登 录" /></p></form></div>"""
        self.emit(path, self.page(path, "网站内容管理系统", "后台", body))

    def static_files(self) -> None:
        self.out.put(HOST, "/robots.txt", b"User-agent: *\nDisallow: /admin/\n")
        self.out.put(HOST, "/images/hs_style.css", STYLE_CSS.encode("gbk"))
        self.out.put(HOST, "/images/hs_common.js", COMMON_JS.encode("gbk"))
        self.out.put(HOST, "/images/hs_logo.png", tiny_png((179, 18, 29), 16))
        self.out.put(HOST, "/images/hs_ga.png", tiny_png((40, 90, 160), 8))

    def plant(self, hsyw: Column, policies: dict[str, Doc], trap_404: Doc, soft_path: str) -> None:
        p = self.planted
        home = url_of(HOST, "/")
        # The host is IPv4-only in the sample DNS (catalog: v4only), and so is
        # the zone's name server.
        p.defect(
            SITE,
            "ipv6",
            "ns_v6_missing",
            home,
            "200",
            "hanshan.gov.test的解析服务器ns1.hanshan.gov.test没有AAAA记录。",
        )
        zwgk = url_of(HOST, "/zwgk/")
        p.defect(
            SITE,
            "structure",
            "section_unreachable",
            url_of(HOST, "/zwgk/xxgkzd/"),
            "404",
            "“政府信息公开制度”栏目链接存在，但目标页面返回404。",
            source=zwgk,
        )
        p.defect(
            SITE,
            "links",
            "http_4xx",
            url_of(HOST, "/zt/2024lh/"),
            "404",
            "首页“2024年寒山两会专题”链接指向已删除的专题页面（404）。",
            source=home,
        )
        p.defect(
            SITE,
            "links",
            "http_4xx",
            url_of(HOST, "/images/banner_2026.jpg"),
            "404",
            "首页横幅图片缺失（404）。",
            source=home,
        )
        news = hsyw.docs[3]
        p.defect(
            SITE,
            "links",
            "soft_404",
            url_of(HOST, soft_path),
            "soft404",
            "“相关阅读”链接指向的旧文章已删除，服务器返回200状态码和“页面不存在”提示页（软404）。",
            source=url_of(HOST, news.path),
        )
        late = policies["hs-p3"]
        p.defect(
            SITE,
            "interpretation",
            "late",
            url_of(HOST, late.interps[0].path),
            "200",
            f"政策解读晚于政策文件6个自然日发布（文件{late.date}，解读{late.interps[0].date}）。",
            policy=url_of(HOST, late.path),
        )
        missing = policies["hs-p4"]
        p.defect(
            SITE,
            "interpretation",
            "missing",
            url_of(HOST, missing.path),
            "200",
            f"{missing.wenhao}未发布政策解读，页面无“相关解读”。",
        )
        p.defect(
            SITE,
            "ipv6",
            "aaaa_missing",
            home,
            "no_aaaa",
            "www.hanshan.gov.test 在示例DNS中只有A记录（127.0.0.1），没有AAAA记录，网站不支持IPv6访问；"
            "二、三级链接IPv6支持率计为0。",
        )
        p.trap(
            SITE,
            url_of(HOST, trap_404.path),
            "200",
            "标题含“404”的正常页面（关于第404号建议的答复的函），不是错误页，不应判为软404。",
        )
        p.trap(
            SITE,
            url_of(HOST, "/xwzx/hsyw/index_2.html"),
            "200",
            '列表分页 index_1.html、index_2.html 只出现在 createPageHTML(3, 0, "index", "html") 脚本调用中，'
            "静态HTML中没有链接；hs_common.js 中 createPageHTML 的函数定义不是调用。",
        )
        (((o_host, o_path), declared),) = C.CHARSET_OVERRIDES.items()
        p.wrong_charset.append(
            {
                "site": SITE,
                "url": url_of(o_host, o_path),
                "declared": declared,
                "actual": "gbk",
                "note": "页面字节为GBK（meta声明gb2312），但HTTP响应头声明charset=utf-8；按响应头解码会乱码。",
            }
        )


def build_hanshan(out: Output, planted: Planted, site: SiteData) -> None:
    Hanshan(out, planted, site).build()
