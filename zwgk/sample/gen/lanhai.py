"""岚海区人民政府: TRS publishing behind an avalon ("fjdzapp") front end.

Pages are full of avalon template attributes (``ms-attr-href="el.url"``,
``ms-repeat``) that are not links, ``javascript:`` pseudo links, empty
``<em id="rel_N">`` placeholders that the browser fills with 相关解读 via
AJAX, and a 文号 printed without a label on normative documents.
"""

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
    esc,
    href_quote,
    paras,
    rel,
    tiny_png,
    url_of,
)

SITE = "lanhai"
HOST = C.LANHAI
ABS = f"http://{HOST}"
ZTZL = "/zwgk/ztzl/乡村振兴/"
OA = "http://oa.lanhai.gov.test/"
ZWFW = C.ZWFW_LANHAI
# The 政务服务 platform's 办事指南: the home page links the first few, the
# guide list all of them (3rd-level links for the IPv6 monitoring).
ZWFW_GUIDES = [
    "户籍办理", "居住证申领", "社会保障卡", "医保报销", "养老保险", "失业登记",
    "就业援助", "创业补贴", "营业执照", "食品经营许可", "建筑施工许可", "不动产登记",
    "公积金提取", "出入境证件", "机动车登记", "驾驶证换领", "婚姻登记", "生育登记",
    "入学报名", "残疾人证", "低保申请", "临时救助", "高龄津贴", "退役军人优待",
    "税务登记", "发票申领", "个税汇算", "消防验收", "排污许可", "林木采伐",
]  # fmt: skip
ZWFW_ON_HOME = 4
COMMENTED_IMG = "/images/2024banner_lh.jpg"

MODEL_JS = """/* model.min.js — avalon 站群前端公共模型（示例站点精简版） */
var avalon = window.avalon || {vmodels: {windowRoot: {isStatic: true, staticDialog: function(){}}}};
"""
INFO_JS = "/* 22mb_info_public_js.js */\nfunction $close_window(){window.close();}\n"
UI_CSS = """.wrap{min-width:1200px}.row{width:1200px;margin:0 auto}
.breadcrumb ul li{display:inline-block}.list_base li{line-height:40px;border-bottom:1px dashed #ddd}
.bf-pass{float:right;color:#999}.rules_tit{font-size:26px;text-align:center}
.rules_tit1{text-align:center;color:#666}.footer{background:#1f5fa8;color:#fff}
"""


class Lanhai:
    def __init__(self, out: Output, planted: Planted, site: SiteData) -> None:
        self.out = out
        self.planted = planted
        self.site = site
        self.docid = 30100

    # -- chrome -------------------------------------------------------------------

    def page(
        self, path: str, title: str, column: str, body: str, metas: str = "", footer_extra: str = ""
    ) -> str:
        info_js = rel(path, "/images/22mb_info_public_js.js")
        return f"""<!DOCTYPE html>
<html ms-controller="windowRoot" ms-class-1="SLB:isSlb" ms-class-2="slb:isSlb">
<head>
<meta charset="utf-8" name="viewport" content="width=device-width, initial-scale=1.0, maximum-scale=1.0" />
<meta http-equiv="x-UA-Compatible" content="IE=Edge" />
<meta name="SiteName" content="{self.site.name}"/>
<meta name="SiteDomain" content="{HOST}"/>
<meta name="SiteIDCode" content="{self.site.site_code}"/>
<meta name="ColumnName" content="{esc(column)}"/>
<meta name="ColumnType" content="{esc(column)}"/>
{metas}<title>{esc(title)}</title>
<link rel="stylesheet" type="text/css" href="/images/trt_ui_v2.css">
</head>
<body>
<div class="wrap">
<!--头部開始-->
<div class="header menu_hov">
<div class="row">
<div class="logo trt-col-9"><a href="/"><img src="/images/lh_logo.png" /></a></div>
<div class="header_line clearflx" role="serve" des="头部信息">
<div class="header_link_02"><a href="javascript:;" class="none_sm">移动版</a></div>
<div class="header_link_02 none_sm">
<em ms-visible="!isLogin">
<a id="logined" href="javascript:void(0);" ms-if="!avalon.vmodels.windowRoot.isStatic" ms-click="$login" target="_blank">登录</a>
<a id="registered" href="javascript:void(0);" ms-if="!avalon.vmodels.windowRoot.isStatic" ms-click="$register">注册</a>
</em>
<em ms-visible="isLogin" style="display:none;">
<a href="javascript:;" ms-attr-title="loginInfo.showname">你好，<font ms-text="loginInfo.showname | truncate(12)"></font></a>
<a ms-attr-href="logoutUrl">注销</a>
</em>
</div>
<span>网站支持IPV6</span>
</div>
<div class="menu_base menu_right menu_hd">
<ul class="clearflx" role="navigation" des="站点主目录">
<li ms-class="on:RootPath==''"><a href="/">首页</a></li>
<li class="parentNode" ms-class="on:paths[3]=='zwgk'"><a href="{ABS}/zwgk/">政务公开</a></li>
<li class="parentNode" ms-class="on:paths[3]=='jdhy'"><a href="{ABS}/jdhy/zcjd/">解读回应</a></li>
<li class="parentNode"><a href="javascript:;" onclick="avalon.vmodels.windowRoot.staticDialog()">办事服务</a></li>
<li class="parentNode"><a href="javascript:void(0);">互动交流</a></li>
</ul>
</div>
</div>
<div class="search_area" id="header">
<form ms-attr-action="searchAction" target="_blank" ms-submit="$setHistoryList()" ms-if="!avalon.vmodels.windowRoot.isStatic">
<input type="text" placeholder="请输入您要搜索的内容" name="key" class="input_inner" ms-duplex="searchTips.serKey" autocomplete="off" />
<button type="submit" class="btn_base btn_default" alt="点击搜索"><i class="trt-iconfont trt-icon-sousuo"></i></button>
<div class="lxglc-box_2021" ms-visible="searchTips.showlist&&searchTips.linkKeys.length>0"><ul>
<li ms-repeat="searchTips.linkKeys"><a href="javascript:;" ms-click="$setPost(el.wordName)" ms-text="el.wordNameHtml|html"></a></li>
</ul></div>
</form>
</div>
<div class="aged_link">
<a href="javascript:void(0);" class="aged_link_01" ms-click="$inSlb()" ms-visible="!isSlb">长者模式</a>
<a href="javascript:void(0);" class="aged_link_02" Id="barrierFreeBtn"><font id="WzaStatus">无障碍浏览</font></a>
</div>
</div>
<!--头部結束-->
{body}
<!--底部开始-->
<div class="footer">
<div class="row mar_t_base mar_t_small_sm" role="serve" des="网站信息">
<div class="trt-col-11 trt-col-sm-24 website_info">
<p>
<a href="/admin/login.html" target="_blank" title="网站管理">网站管理</a>
{footer_extra}</p>
<p>
<span>网站标识码：{self.site.site_code}</span>
<span>{self.site.icp}</span>
</p>
<p><span>版权所有：{self.site.name}</span></p>
</div>
<div class="trt-col-7 trt-col-sm-24 media_info"><ul class="trt-row">
<li class="trt-col-12"><a href="javascript:;" title="岚海发布"><span class="trt-iconfont trt-icon-weixin1"></span>岚海发布</a>
<div class="ewm_tu"><img src="/images/lh_ewm.png" alt="岚海发布" /></div>
</li>
</ul></div>
</div>
<div class="trt-col-6 trt-col-sm-24 error_img">
<span id="_ideConac" class="foot-icon02 pho-none"><img id="imgConac" vspace="0" hspace="0" border="0" src="/images/red.png" alt="党政机关" /></span>
</div>
<div class="copyright_info"><div class="row"><p><span>主办单位：{self.site.office}</span></p></div></div>
</div>
<!--底部结束-->
</div>
<script>
var SiteInfo = {{
	siteMsgType: "govSite",
	initWindowRoot: false,
	defaultPgTemp: "pgBar_lh.html"
}};
</script>
<script src="/images/model.min.js"></script>
<script type="text/javascript" src="{info_js}"></script>
</body>
</html>
"""

    def emit(self, path: str, text: str) -> None:
        self.out.put(HOST, path, text.encode("utf-8"))

    @staticmethod
    def breadcrumb(path: str, trail: list[tuple[str, str]]) -> str:
        items = [("首页", "/"), *trail]
        lis = "".join(
            f'<li><a href="{rel(path, p)}" title="{esc(n)}" class="active">{esc(n)}</a></li>'
            for n, p in items
        )
        return (
            '<div class="breadcrumb" role=\'navigation\' des="当前位置">\n'
            '<span><i class="trt-iconfont trt-icon-weizhi"></i>当前位置：</span>\n'
            f"<ul>\n{lis}\n</ul>\n</div>"
        )

    @staticmethod
    def wrap(inner: str) -> str:
        return f"""<div class="main">
<div class="content mar_t_large mar_t_base_sm">
<div class="row content_bg_02 pad_large pad_base_sm shadow_base border_radius_large">
{inner}
</div>
</div>
</div>"""

    # -- documents -------------------------------------------------------------------

    def new_doc(self, **kw: object) -> Doc:
        self.docid += 1
        return Doc(docid=self.docid, **kw)  # type: ignore[arg-type]

    def place(self, col: Column) -> None:
        for d in col.docs:
            d.path = f"{col.path}{d.yyyymm}/t{d.ymd}_{d.docid}.htm"

    def list_pages(self, col: Column) -> None:
        chunks = col.pages()
        last = len(chunks) - 1
        for i, docs in enumerate(chunks):
            path = col.path if i == 0 else f"{col.path}index_{i}.html"

            def page_href(n: int) -> str:
                return "./" if n == 0 else f"./index_{n}.html"

            lis = "\n".join(
                f'<li>\n<a href="{rel(path, d.path)}" target="_blank" title="{esc(d.title)}">{esc(d.title)}</a>\n'
                f'<em id="rel_{d.docid}"></em>\n<span class="bf-pass">{d.date}</span>\n</li>'
                for d in docs
            )
            bar = ""
            if last > 0:
                prev = (
                    f'<a href="{page_href(i - 1)}">上一页</a>'
                    if i > 0
                    else '<a href="javascript:;" class="disabled">上一页</a>'
                )
                nxt = (
                    f'<a href="{page_href(i + 1)}">下一页</a>'
                    if i < last
                    else '<a href="javascript:;" class="disabled">下一页</a>'
                )
                bar = (
                    f'<div class="page_base mar_t_base"><a href="./">首页</a> {prev} '
                    f'<span class="current">{i + 1}</span>/<span>{last + 1}</span> {nxt} '
                    f'<a href="{page_href(last)}">尾页</a></div>'
                )
            inner = f"""{self.breadcrumb(path, [*col.crumbs, (col.name, col.path)])}
<div class="title_extend clearflx mar_t_small"><div class="title_base current_title clearflx"><div class="title_name">{esc(col.name)}</div></div></div>
<div class="list_base list_base_date_01 mar_t_base mar_t_small_sm" ms-controller="list" role="viewlist" des="{esc(col.name)}">
<div ms-visible="showStatic">
<ul>
{lis}
</ul>
</div>
<div ms-visible="!showStatic">
<ul ms-if="list.length==0"><div ms-if="error" style="text-align: center; padding: 30px">暂无数据</div></ul>
<ul ms-if="list.length>0">
<li ms-repeat="list"><a ms-attr-title="el.doctitle_cp" ms-attr-href="el.chnldocurl" Target="_blank" ms-text="el.doctitle|html|showkey"></a>
<em ms-repeat-rel="el.rels" ms-if-loop="rel._reltype===1||rel._reltype===2"><a ms-attr-href="rel.url" ms-text="rel._doctype" Target="_blank" ms-attr-title="rel.tardoctitle"></a></em>
<span ms-text="el.docreltime | date2('yyyy-MM-dd')" class="bf-pass"></span></li>
</ul>
</div>
</div>
{bar}"""
            self.emit(
                path, self.page(path, f"{col.name}_{self.site.name}", col.name, self.wrap(inner))
            )

    def metas(self, d: Doc) -> str:
        return (
            f'<meta name="ArticleTitle" content="{esc(d.title)}"/>\n'
            f'<meta name="PubDate" content="{d.pubdate}"/>\n'
            f'<meta name="ContentSource" content="{esc(d.source)}"/>\n'
            '<meta name="KeyWords" content=""/>\n<meta name="Author" content=""/>\n'
            f'<meta name="Url" content="{ABS}{href_quote(d.path)}"/>\n'
            f'<meta name="DocId" content="{d.docid}"/>\n'
        )

    def index_line(self, d: Doc) -> str:
        """The 索引号 of an item of the disclosure catalogue (政府信息公开目录)."""
        if not d.path.startswith("/zwgk/zfxxgk/"):
            return ""
        return (
            f'<div class="xxgk_index"><span>索引号：{self.site.credit_code}/'
            f"{d.date[:4]}-{d.docid:05d}</span></div>\n"
        )

    def detail(self, d: Doc) -> None:
        assert d.column is not None
        col = d.column
        path = d.path
        crumb = self.breadcrumb(path, [*col.crumbs, (col.name, col.path)])
        if d.kind == "policy":
            jd = "".join(
                f'<li><a href="{rel(path, i.path)}" title="{esc(i.title)}" target="_blank">{esc(i.title)}</a>'
                f"<span>{i.date}</span><i></i></li>\n"
                for i in d.interps
            )
            inner = f"""{crumb}
<div class="rules_con">
<div class="rules_logo">{self.site.name}行政规范性文件库</div>
<div class="rules_btn" ms-controller="files">
<a ms-if="fileLink" ms-attr-href="fileLink.link" ms-attr-download="fileLink.name" title="下载文字版" class="wjb">下载文字版</a>
</div>
</div>
<div class="tabs tab_base_01 rules_con1" ms-controller="QzbView">
<div class="rules_tit">
{esc(d.title)}
</div>
<div class="rules_tit1">{esc(d.wenhao)}</div>
{self.index_line(d)}
<div class="word_con" role="viewlist" des="正文" ms-visible="show==1||qzbFile==''">
<div class="rules_text" ms-class="font{{{{detailFont}}}}" ms-controller="windowRoot">
<div class=TRS_Editor>{d.body}</div>
</div>
</div>
</div>
<div class="rules_tit3 xgjd" ms-controller="list" ms-visible="havJdwj">
<div class="title_extend clearflx mar_t_base">相关解读</div>
<div class="list_base list_base_date_01 mar_t_base mar_t_small_sm">
<ul class="xgjd_ul">
{jd}<li ms-repeat="list" ms-if-loop="el.srcdocpuburl.match(/(zzbz)/)==null">
<a ms-attr-href="el.srcdocpuburl" ms-attr-title="el.srcdoctitle_cp" ms-text="el.srcdoctitle_cp" target="_blank"></a>
<span ms-text="el.srcdocreltime|date('yyyy-MM-dd')"></span><i></i>
</li>
</ul>
</div>
</div>"""
        else:
            side = ""
            if d.policy is not None:
                side = f"""<div class="article_relalinks" ms-visible="havJdwj">
<div class="title_base"><div class="title_name">政策文件</div></div>
<div class="list_base list_base_date_02"><ul>
<li><a href="{rel(path, d.policy.path)}" title="{esc(d.policy.title)}" target="_blank">{esc(d.policy.title)}</a><span>{d.policy.date[5:]}</span></li>
<li ms-repeat="list" ms-if-loop="el._doctype!='相关链接'"><a ms-attr-title="el.title" ms-attr-href="el.url" ms-text="el.title" Target="_blank"></a></li>
</ul></div>
</div>"""
            inner = f"""{crumb}
<div class="trt-row" ms-controller="list">
<div class="article_component" ms-controller="windowRoot">
<div class="article_title_group"><div class="article_title text_align_center">
{esc(d.title)}
</div></div>
{self.index_line(d)}<div class="article_extend"><span class="article_time">时间：{d.pubdate}</span>
<span class="article_views" ms-text="'浏览量：' + pvCount"></span>
<span class="phone_none" onclick="$printDetail()"><i class="trt-iconfont trt-icon-dayin"></i></span></div>
<div class="article_area">
<div class="article_content article_content_01 font_family_cn" ms-class="font{{{{detailFont}}}}">
<div class="detail_video" ms-include-src="videoBoxUrl"></div>
<div class=TRS_Editor>{d.body}</div>
</div>
<div class="article_extend"><span class="article_source">来源：{esc(d.source)}</span></div>
<div class="article_btn_group none_sm"><button class="btn_base btn_outline btn_outline_info" onclick="$close_window()" alt="关闭">关闭</button></div>
</div>
</div>
{side}
</div>"""
        self.emit(
            path,
            self.page(
                path,
                f"{d.title}_{col.name}_{self.site.name}",
                col.name,
                self.wrap(inner),
                self.metas(d),
            ),
        )

    # -- the site ---------------------------------------------------------------------

    def build(self) -> None:
        site = self.site
        zwgk = ("政务公开", "/zwgk/")
        zfxxgk = ("政府信息公开", "/zwgk/zfxxgk/")
        yw = Column("要闻", "/zwgk/yw/", HOST, crumbs=[zwgk], per_page=8)
        gsgg = Column("公示公告", "/zwgk/gsgg/", HOST, crumbs=[zwgk])
        gfxwj = Column("行政规范性文件库", "/zwgk/zfxxgk/zc/xzgfxwjk/", HOST, crumbs=[zwgk, zfxxgk])
        zcjd = Column("政策解读", "/jdhy/zcjd/", HOST)
        ndbg = Column("政府信息公开年报", "/zwgk/zfxxgk/ndbg/", HOST, crumbs=[zwgk, zfxxgk])
        guide = Column("政府信息公开指南", "/zwgk/zfxxgk/zfxxgkzn/", HOST, crumbs=[zwgk, zfxxgk])
        ztzl = Column("乡村振兴", ZTZL, HOST, crumbs=[zwgk])

        for n in site.news:
            yw.add(
                self.new_doc(
                    title=n.title,
                    date=n.date,
                    time=n.time,
                    source="岚海区融媒体中心",
                    body=paras(news_body(site, n.title, n.lead)),
                )
            )
        self.docid = 30200
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
            gfxwj.add(d)
        self.docid = 30300
        for key, spec in site.policies.items():
            for kind, date, time in spec.interps:
                title = f"《{spec.short}》解读" if kind == "text" else f"一图读懂《{spec.short}》"
                d = self.new_doc(
                    title=title,
                    date=date,
                    time=time,
                    source=spec.source,
                    kind="interp" if kind == "text" else "graphic",
                    key=key,
                    policy=policies[key],
                )
                policies[key].interps.append(d)
                zcjd.add(d)
        self.docid = 30400
        for date, title, source, lead in (
            (
                "2026-11-23",
                "岚海区2026年度第二批城镇保障性住房配租结果公示",
                "岚海区住房和城乡建设局",
                "根据《岚海区城镇保障性住房管理办法》，现将2026年度第二批城镇保障性住房配租结果予以公示。",
            ),
            (
                "2026-11-02",
                "关于岚海区滨海大道（二期）工程项目拟征收土地的预公告",
                "岚海区人民政府",
                "因滨海大道（二期）工程项目建设需要，拟征收北澳村集体土地，现将有关事项预公告如下。",
            ),
            (
                "2026-10-13",
                "岚海区关于公开选聘区属国有企业经营管理人员的公告",
                "岚海区国有资产服务中心",
                "为进一步优化区属国有企业经营管理队伍结构，现面向社会公开选聘经营管理人员6名。",
            ),
            (
                "2026-08-26",
                "关于岚海区第二批区级非物质文化遗产代表性项目名录的公示",
                "岚海区文化体育和旅游局",
                "经专家评审，拟将岚海渔歌等9个项目列入第二批区级非物质文化遗产代表性项目名录，现予公示。",
            ),
        ):
            gsgg.add(
                self.new_doc(
                    title=title,
                    date=date,
                    time="10:00",
                    source=source,
                    kind="notice",
                    body=paras(news_body(site, title, lead)),
                )
            )
        self.docid = 30500
        for date, title, lead in (
            (
                "2026-09-21",
                "岚海区召开乡村振兴重点工作推进会",
                "9月21日，岚海区召开乡村振兴重点工作推进会，部署和美乡村建设、农村人居环境整治等工作。",
            ),
            (
                "2026-07-17",
                "岚海区北澳村入选省级乡村振兴示范村",
                "近日，省农业农村厅公布2026年省级乡村振兴示范村名单，岚海区北澳村入选。",
            ),
        ):
            ztzl.add(
                self.new_doc(
                    title=title,
                    date=date,
                    time="17:00",
                    source="岚海区农业农村局",
                    body=paras(news_body(site, title, lead)),
                )
            )
        self.docid = 30600
        for year, date in ((2025, "2026-01-16"), (2024, "2025-01-20")):
            title = f"岚海区人民政府{year}年政府信息公开工作年度报告"
            ndbg.add(
                self.new_doc(
                    title=title,
                    date=date,
                    time="15:30",
                    source=site.office,
                    kind="report",
                    body=annual_report_body(site, title, date),
                )
            )
        self.docid = 30700
        guide.add(
            self.new_doc(
                title="岚海区人民政府信息公开指南",
                date="2026-05-12",
                time="09:00",
                source=site.office,
                kind="guide",
                body=paras(guide_body(site, "2026-05-12")),
            )
        )

        columns = [yw, gsgg, gfxwj, zcjd, ndbg, guide, ztzl]
        for col in columns:
            self.place(col)
        for d in zcjd.docs:
            assert d.policy is not None
            spec = site.policies[d.policy.key]
            if d.kind == "graphic":
                img = f"{zcjd.path}{d.yyyymm}/W0{d.ymd}62418357{d.docid % 1000:03d}.png"
                self.out.put(HOST, img, tiny_png((31, 95, 168), 16))
                d.body = graphic_body(site, spec, rel(d.path, img))
            else:
                d.body = interp_body(site, spec)

        for col in columns:
            self.list_pages(col)
            for d in col.docs:
                self.detail(d)
        self.home(yw, gsgg, gfxwj, zcjd)
        self.hubs(gfxwj, zcjd)
        self.static_files()
        self.service_platform()
        self.plant(policies)

    def home(self, yw: Column, gsgg: Column, gfxwj: Column, zcjd: Column) -> None:
        path = "/"

        def items(col: Column, n: int) -> str:
            return "\n".join(
                f'<li><a href="{href_quote(d.path)}" target="_blank" title="{esc(d.title)}">{esc(d.title)}</a>'
                f'<em id="rel_{d.docid}"></em><span>{d.date[5:]}</span></li>'
                for d in col.docs[:n]
            )

        zwfw_items = "\n".join(
            f'<a href="http://{ZWFW}/bszn/{i + 1:03d}.html" title="{name}">{name}</a>'
            for i, name in enumerate(ZWFW_GUIDES[:ZWFW_ON_HOME])
        )
        inner = f"""<div class="main index">
<!--<div class="banner"><img src="{COMMENTED_IMG}" alt="2024岚海" /></div>-->
<div class="row">
<div class="index_news" ms-controller="indexNews">
<div class="title_base"><div class="title_name">岚海要闻</div><a href="/zwgk/yw/" class="more">更多</a></div>
<ul ms-visible="showStatic">
{items(yw, 5)}
</ul>
<ul ms-if="list.length>0" style="display:none"><li ms-repeat="list"><a ms-attr-href="el.url" ms-text="el.title" target="_blank"></a><span ms-text="el.time|date('MM-dd')"></span></li></ul>
</div>
<div class="index_gsgg"><div class="title_base"><div class="title_name">公示公告</div><a href="/zwgk/gsgg/" class="more">更多</a></div><ul>
{items(gsgg, 4)}
</ul></div>
<div class="index_zcwj"><div class="title_base"><div class="title_name">政策文件</div><a href="/zwgk/zfxxgk/zc/xzgfxwjk/" class="more">更多</a></div><ul>
{items(gfxwj, 4)}
</ul></div>
<div class="index_zcjd"><div class="title_base"><div class="title_name">政策解读</div><a href="/jdhy/zcjd/" class="more">更多</a></div><ul>
{items(zcjd, 4)}
</ul></div>
<div class="index_zt"><div class="title_base"><div class="title_name">专题专栏</div></div>
<a href="{href_quote(ZTZL)}" title="乡村振兴">乡村振兴专题</a>
</div>
<div class="index_bsfw"><div class="title_base"><div class="title_name">办事服务</div></div>
<a href="/bsfw/" title="网上办事">网上办事</a>
<a href="http://{ZWFW}/bszn/" title="办事指南">办事指南</a>
{zwfw_items}
<a href="http://{ZWFW}/hdjl/" title="在线咨询">在线咨询</a>
</div>
<div class="index_rk">
<a href="/zwgk/zfxxgk/" title="政府信息公开">政府信息公开</a>
<a href="javascript:;" ms-click="$openWin('hdjl')" title="互动交流">互动交流</a>
</div>
</div>
</div>"""
        oa = f'<em>|</em>\n<a href="{OA}" target="_blank" title="内网办公">内网办公</a>\n'
        self.emit(path, self.page(path, self.site.name, "首页", inner, footer_extra=oa))

    def hubs(self, gfxwj: Column, zcjd: Column) -> None:
        path = "/zwgk/"
        links = [
            ("政府信息公开", "/zwgk/zfxxgk/"),
            ("要闻", "/zwgk/yw/"),
            ("公示公告", "/zwgk/gsgg/"),
            ("行政规范性文件库", "/zwgk/zfxxgk/zc/xzgfxwjk/"),
            ("乡村振兴专题", ZTZL),
        ]
        lis = "\n".join(f'<li><a href="{rel(path, p)}" title="{n}">{n}</a></li>' for n, p in links)
        inner = f"""{self.breadcrumb(path, [("政务公开", path)])}
<div class="zwgk_nav"><ul>
{lis}
</ul></div>"""
        self.emit(path, self.page(path, f"政务公开_{self.site.name}", "政务公开", self.wrap(inner)))

        # The disclosure column: guide, statutory content and annual reports,
        # but no 信息公开制度 section.
        path = "/zwgk/zfxxgk/"

        def items(col: Column, n: int) -> str:
            return "\n".join(
                f'<li><a href="{rel(path, d.path)}" target="_blank" title="{esc(d.title)}">{esc(d.title)}</a>'
                f'<span class="bf-pass">{d.date}</span></li>'
                for d in col.docs[:n]
            )

        inner = f"""{self.breadcrumb(path, [("政务公开", "/zwgk/"), ("政府信息公开", path)])}
<div class="xxgk_nav"><ul>
<li><a href="./zfxxgkzn/" title="政府信息公开指南">政府信息公开指南</a></li>
<li><a href="./fdzdgknr/" title="法定主动公开内容">法定主动公开内容</a></li>
<li><a href="./ndbg/" title="政府信息公开年报">政府信息公开年报</a></li>
<li><a href="javascript:;" ms-click="$ysqgk()" title="依申请公开">依申请公开</a></li>
</ul></div>
<div class="list_base list_base_date_01 mar_t_base"><div class="title_name">行政规范性文件</div><ul>
{items(gfxwj, 4)}
</ul></div>
<div class="list_base list_base_date_01 mar_t_base"><div class="title_name">政策解读</div><ul>
{items(zcjd, 4)}
</ul></div>"""
        self.emit(
            path,
            self.page(path, f"政府信息公开_{self.site.name}", "政府信息公开", self.wrap(inner)),
        )

        path = "/zwgk/zfxxgk/fdzdgknr/"
        subs = [
            ("机构职能", "/zwgk/zfxxgk/jgzn/"),
            ("行政规范性文件", "/zwgk/zfxxgk/zc/xzgfxwjk/"),
            ("政策解读", "/jdhy/zcjd/"),
            ("公示公告", "/zwgk/gsgg/"),
        ]
        lis = "\n".join(f'<li><a href="{rel(path, p)}" title="{n}">{n}</a></li>' for n, p in subs)
        inner = f"""{self.breadcrumb(path, [("政务公开", "/zwgk/"), ("政府信息公开", "/zwgk/zfxxgk/"), ("法定主动公开内容", path)])}
<div class="fdzdgk"><ul>
{lis}
</ul></div>"""
        self.emit(
            path,
            self.page(
                path, f"法定主动公开内容_{self.site.name}", "法定主动公开内容", self.wrap(inner)
            ),
        )

        path = "/zwgk/zfxxgk/jgzn/"
        text = paras(
            [
                "岚海区人民政府是区人民代表大会的执行机关，是区级国家行政机关，对区人民代表大会和上级人民政府负责并报告工作。",
                "主要职责：执行区人民代表大会及其常务委员会的决议和上级国家行政机关的决定、命令；"
                "管理本区经济、海洋渔业、滨海旅游、城乡建设、教育、卫生健康、民政等行政工作。",
                f"办公地址：{self.site.address}　联系电话：{self.site.phone}",
            ]
        )
        inner = f"""{self.breadcrumb(path, [("政务公开", "/zwgk/"), ("政府信息公开", "/zwgk/zfxxgk/"), ("机构职能", path)])}
<div class="article_component"><div class="article_title text_align_center">岚海区人民政府机构职能</div>
<div class="article_content"><div class=TRS_Editor>{text}</div></div></div>"""
        self.emit(path, self.page(path, f"机构职能_{self.site.name}", "机构职能", self.wrap(inner)))

        path = "/admin/login.html"
        inner = """<div class="login"><h2>岚海区人民政府网站群管理平台</h2>
<form method="post" action="login.html"><p>用户名：<input type="text" name="user" /></p>
<p>密码：<input type="password" name="pwd" /></p><p><button type="submit">登录</button></p></form></div>"""
        self.emit(path, self.page(path, "登录", "后台", self.wrap(inner)))

    def service_platform(self) -> None:
        """The 政务服务 platform on its own IPv4-only host: a plain page per
        办事指南 item, a guide list and a consultation page."""

        def page(title: str, body: str) -> bytes:
            return (
                '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"/>'
                f"<title>{title}_岚海区政务服务网</title></head><body>"
                f'<div class="header"><a href="/">岚海区政务服务网</a> '
                f'<a href="{ABS}/">岚海区人民政府</a></div>'
                f'<div class="main"><h1>{title}</h1>{body}</div></body></html>\n'
            ).encode()

        guides = "".join(
            f'<li><a href="/bszn/{i + 1:03d}.html">{name}</a></li>'
            for i, name in enumerate(ZWFW_GUIDES)
        )
        self.out.put(
            ZWFW,
            "/index.html",
            page("网上办事", '<p><a href="/bszn/">办事指南</a> <a href="/hdjl/">在线咨询</a></p>'),
        )
        self.out.put(ZWFW, "/robots.txt", b"User-agent: *\nDisallow: /admin/\n")
        self.out.put(ZWFW, "/bszn/index.html", page("办事指南", f"<ul>{guides}</ul>"))
        self.out.put(ZWFW, "/hdjl/index.html", page("在线咨询", "<p>咨询电话：0591-00000000</p>"))
        for i, name in enumerate(ZWFW_GUIDES):
            self.out.put(
                ZWFW,
                f"/bszn/{i + 1:03d}.html",
                page(f"{name}办事指南", f"<p>{name}的办理条件、材料和流程。</p>"),
            )

    def static_files(self) -> None:
        self.out.put(HOST, "/robots.txt", b"User-agent: *\nDisallow: /admin/\n")
        self.out.put(HOST, "/images/trt_ui_v2.css", UI_CSS.encode("utf-8"))
        self.out.put(HOST, "/images/model.min.js", MODEL_JS.encode("utf-8"))
        self.out.put(HOST, "/images/22mb_info_public_js.js", INFO_JS.encode("utf-8"))
        self.out.put(HOST, "/images/lh_logo.png", tiny_png((31, 95, 168), 16))
        self.out.put(HOST, "/images/lh_ewm.png", tiny_png((0, 0, 0), 16))
        self.out.put(HOST, "/images/red.png", tiny_png((200, 20, 20), 16))

    def plant(self, policies: dict[str, Doc]) -> None:
        p = self.planted
        home = url_of(HOST, "/")
        p.defect(
            SITE,
            "ipv6",
            "level2_low",
            home,
            "200",
            f"首页“办事服务”栏目的{ZWFW_ON_HOME + 2}个链接指向只支持IPv4的政务服务平台{ZWFW}，"
            "“网上办事”从双栈主机跳转到该平台；加上IPv4也无法访问的内网办公链接，"
            "二级链接IPv6支持率低于85%。",
        )
        p.defect(
            SITE,
            "ipv6",
            "level3_low",
            home,
            "200",
            f"政务服务平台{ZWFW}的办事指南列表及各页面只支持IPv4，三级链接IPv6支持率低于85%。",
        )
        zfxxgk = url_of(HOST, "/zwgk/zfxxgk/")
        p.defect(
            SITE,
            "structure",
            "section_missing",
            zfxxgk,
            "200",
            "政府信息公开专栏未设置“政府信息公开制度”栏目。",
        )
        p.defect(
            SITE,
            "links",
            "private_address",
            OA,
            "private",
            "首页底部“内网办公”链接指向内网OA系统，域名解析到127.0.0.2（非公网地址）。",
            source=home,
        )
        late = policies["lh-p2"]
        p.defect(
            SITE,
            "interpretation",
            "late",
            url_of(HOST, late.interps[0].path),
            "200",
            f"图解解读晚于政策文件6个自然日发布（文件{late.date}，解读{late.interps[0].date}）。",
            policy=url_of(HOST, late.path),
        )
        p.defect(
            SITE,
            "planning",
            "plan_missing",
            zfxxgk,
            "200",
            "网站未设置规划信息栏目（无发展规划、“十四五”规划纲要等内容）。",
        )
        p.defect(
            SITE,
            "freshness",
            "column_unverified",
            url_of(HOST, "/zwgk/zfxxgk/zfxxgkzn/"),
            "200",
            "“政府信息公开指南”栏目的列表由avalon模板（ms-repeat）在浏览器中加载，静态页面没有条目，"
            "只能记为未能验证，不能判为空白栏目。",
        )
        p.defect(
            SITE,
            "identity",
            "police_missing",
            home,
            "200",
            "首页底部显示了网站标识码、ICP备案编号和党政机关网站标识，但没有公安机关备案号。",
        )
        p.trap(
            SITE,
            url_of(HOST, ZTZL),
            "200",
            "“乡村振兴专题”链接使用百分号编码的中文路径，页面正常可访问。",
        )
        p.trap(
            SITE,
            url_of(HOST, COMMENTED_IMG),
            "404",
            "首页HTML注释中的<img>引用了不存在的图片；注释内容不是链接，不应报告为死链。",
            source=home,
        )
        p.trap(
            SITE,
            home,
            "200",
            'avalon模板属性（ms-attr-href="el.url"、ms-attr-href="logoutUrl"）和 javascript:; 伪链接不是链接，不应被抓取或报告。',
        )
        p.trap(
            SITE,
            url_of(HOST, policies["lh-p1"].path),
            "200",
            '规范性文件的文号（岚海政规〔2026〕2号）单独显示在 <div class="rules_tit1"> 中，没有“文号：”标签；'
            '列表页的 <em id="rel_N"></em> 是AJAX加载相关解读的空占位。',
        )


def build_lanhai(out: Output, planted: Planted, site: SiteData) -> None:
    Lanhai(out, planted, site).build()
