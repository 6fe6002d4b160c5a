"""Write the shipped example inbox: ``examples/taizhang.toml``, ``examples/2022-04/``, ``examples/2022-05/``
and ``examples/README.md``.

Run from the repository root::

    PYTHONPATH=src:tests python examples/make_examples.py

Needs openpyxl, xlrd, pytest (for ``tests/conftest.convert_with_soffice``) and LibreOffice (``soffice``).

Two consecutive months of filled 重点工作台账 (附件2 of 济航〔2022〕13号) from a roster of six departments,
as clerks send them: each department keeps its own habits (merged sub-rows, an extra 完成时限 column,
broken header labels, a 填报说明 sheet and a hidden sheet, theme colours, a real date cell, a 序号 formula),
one file per month goes through LibreOffice as ``.xls`` and one as ``.xlsx``. The people are invented.

Deliberate problems (the tool must report them): 4月 水运服务部 missing, 工程建设部 late (4月8日);
5月 污染防治部 late (5月9日); 5月 水运服务部's summary sentence states one red item too many (账实不符);
warning-level ``3星`` (4月 综合部) and ``A、B`` (工程建设部, both months); one blue item whose 推进情况 says
落后于时序进度 (4月 规划发展部), one uncoloured item that says 滞后于时序进度 (5月 智慧港航部), one ★★★ item with
source C (5月 水运服务部).

The content is fixed in this file (no randomness), so every run writes the same workbooks; only the
timestamps openpyxl and LibreOffice stamp into the files differ. The expected figures per file are
printed at the end and written into README.md.
"""

from __future__ import annotations

import colorsys
import datetime as dt
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import openpyxl
import xlrd
from openpyxl.styles import Alignment, Font
from openpyxl.styles.colors import Color
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.theme import theme_xml as OPENPYXL_THEME

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

from builders import FILLS as BUILDER_FILLS  # noqa: E402
from builders import ORDER, auto_summary, build_ledger  # noqa: E402
from conftest import convert_with_soffice  # noqa: E402
from taizhang.rules import COLUMN_BY_KEY, is_closed, normalise_source, normalise_stars  # noqa: E402

EXAMPLES = ROOT / "examples"
CENTER = "市港航事业发展中心"
DEADLINE_DAY = 5
ROSTER = ["综合部", "规划发展部", "污染防治部", "工程建设部", "智慧港航部", "水运服务部"]
MONTHS = ("2022-04", "2022-05")

# --------------------------------------------------------------------------------------------
# Colours
# --------------------------------------------------------------------------------------------

# The Office 2013–2022 theme (what Excel 2016+/WPS write). openpyxl's own default theme is Office 2007,
# where accent4 (theme index 7) is purple 8064A2, not gold, so the theme file carries this one.
# Theme indices: 0 lt1, 1 dk1, 2 lt2, 3 dk2, 4–9 accent1–6.
OFFICE_2013_COLOURS = {
    "1F497D": "44546A", "EEECE1": "E7E6E6",  # dk2, lt2
    "4F81BD": "4472C4", "C0504D": "ED7D31", "9BBB59": "A5A5A5",  # accent1-3
    "8064A2": "FFC000", "4BACC6": "5B9BD5", "F79646": "70AD47",  # accent4-6
    "0000FF": "0563C1", "800080": "954F72",  # hlink, folHlink
}
THEME_ACCENTS = {4: "4472C4", 5: "ED7D31", 6: "A5A5A5", 7: "FFC000", 8: "5B9BD5", 9: "70AD47"}


def office_2013_theme() -> str:
    xml = OPENPYXL_THEME
    for old, new in OFFICE_2013_COLOURS.items():
        xml = xml.replace(f'<a:srgbClr val="{old}"/>', f'<a:srgbClr val="{new}"/>', 1)
    return xml


def tinted(rgb: str, tint: float) -> str:
    """Excel's tint rule (HLS lightness moved towards white for tint > 0)."""
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (0, 2, 4))
    hue, light, sat = colorsys.rgb_to_hls(r, g, b)
    light = light * (1 + tint) if tint < 0 else light * (1 - tint) + tint
    return "".join(f"{round(v * 255):02X}" for v in colorsys.hls_to_rgb(hue, light, sat))


# Each department fills 进度评价 with its own palette.
PALETTES: dict[str, dict[str, object]] = {
    "综合部": {"blue": "00B0F0", "yellow": "FFFF00", "red": "FF0000"},  # Excel 标准色
    "规划发展部": {"blue": "9BC2E6", "yellow": "FFFF00", "red": "FF0000"},  # builders.FILLS
    "污染防治部": {"blue": "9BC2E6", "yellow": "FFFF00", "red": "FF0000"},
    "工程建设部": {"blue": "8DB4E2", "yellow": "FFFF00", "red": "FF0000"},
    # 蓝色,个性色1,淡色60% / 金色,个性色4,淡色40% / 标准色 红色
    "智慧港航部": {"blue": Color(theme=4, tint=0.6), "yellow": Color(theme=7, tint=0.4), "red": "FF0000"},
    "水运服务部": {"blue": "BDD7EE", "yellow": "FFFF00", "red": "FF0000"},
}


def fill_rgb(fill: object) -> str:
    if isinstance(fill, Color):
        return tinted(THEME_ACCENTS[fill.theme], fill.tint)
    return str(fill)


# What each department writes as 进度评价 text next to the fill.
JUDGEMENT_TEXT: dict[str, dict[str | None, str]] = {
    "综合部": {"blue": "蓝色", "yellow": "黄色", "red": "红色", None: ""},
    "规划发展部": {"blue": "进展较快", "yellow": "预计较好等次", "red": "进度缓慢", None: ""},
    "污染防治部": {"blue": "", "yellow": "", "red": "", None: ""},
    "工程建设部": {"blue": "超序时进度", "yellow": "较好", "red": "滞后序时进度", None: "序时推进"},
    "智慧港航部": {"blue": "", "yellow": "", "red": "", None: ""},
    "水运服务部": {"blue": "蓝", "yellow": "黄", "red": "红", None: ""},
}

# --------------------------------------------------------------------------------------------
# Content (fictional people; 3 centre leaders, one head per department)
# --------------------------------------------------------------------------------------------

LEADERS = {"综合部": "褚建华", "规划发展部": "孟庆军", "污染防治部": "韩立新", "工程建设部": "孟庆军",
           "智慧港航部": "褚建华", "水运服务部": "韩立新"}
HEADS = {"综合部": "邵文静", "规划发展部": "任志远", "污染防治部": "葛丽君", "工程建设部": "鲍永刚",
         "智慧港航部": "靳晓东", "水运服务部": "房德胜"}
CONTACTS = {"综合部": ("宋佳琪", "2603512"), "规划发展部": ("曹文博", "2603547"),
            "污染防治部": ("蒋文慧", "2603586"), "工程建设部": ("于静怡", "2603533"),
            "智慧港航部": ("郝思远", "2603571"), "水运服务部": ("温晓婷", "2603528")}


@dataclass
class M:
    """One month's state of an item."""

    progress: str | list[str]
    colour: str | None = None
    note: str = ""


@dataclass
class E:
    """One key-work item across the two months (``target`` a list: sub-rows merged under one item)."""

    name: str
    target: str | list[str]
    stars: str
    source: str
    owner: str
    apr: M | None
    may: M | None
    limit: str = ""  # 完成时限 (规划发展部 only)
    may_name: str | None = None
    may_target: str | None = None
    leader: str | None = None


D: dict[str, list[E]] = {}

D["综合部"] = [
    E("建立重点工作台账制度并按月督查通报",
      "3月3日前完成各部室（单位）台账建立；自4月起每月10日前印发督查通报1期，全年不少于9期",
      "★★", "B", "督查科\n姜慧敏",
      M("已完成12个部室（单位）台账建立，4月督查通报正在起草"),
      M("已印发4月督查通报1期，5月通报正在汇总，按计划推进")),
    E("市级督查反馈问题整改", "市委督查室反馈的3项问题6月底前全部整改到位，整改销号率100%", "★★★", "A",
      "督查科\n姜慧敏",
      M("已制定整改方案，完成整改1项，其余2项正在推进，预计为较好等次", "yellow"),
      M("完成整改2项，整改完成率67%，超时序进度", "blue")),
    E("市对中心综合考核指标分解落实", "市对中心综合考核指标14项全部分解到部室（单位），力争考核等次为“优秀”",
      "★★★", "A", "综合科\n宋佳琪",
      M("14项指标已全部分解，一季度市直部门综合考核调度排名全市第2位", "blue"),
      M("4月调度排名全市第3位，14项指标均按时序推进", "blue")),
    E("政务信息报送", "全年向市委、市政府报送政务信息不少于60条，被采用不少于12条", "★★", "B", "文秘科\n李雪",
      M("报送信息14条，被市政府采用2条，采用量全市第7位", "yellow"),
      M("报送信息21条，被采用3条，采用量排名全市后3位", "red")),
    E("省级文明单位复审", "年内通过省级文明单位复审", "★★★", "D", "综合科\n宋佳琪",
      M("已完成复审材料收集，按计划推进"),
      M("复审申报材料已报送市文明办，等待实地测评")),
    E("机关安全生产", "机关安全生产责任清单签订全覆盖，全年不发生一般及以上安全事故", "★★", "B", "行政科\n杜鹏飞",
      M("完成安全生产责任清单签订12份，开展节前安全检查2次"),
      M("开展安全生产大检查1次，排查隐患6处，已整改5处")),
    E("人大建议政协提案办理", "承办人大建议、政协提案9件，8月底前全部办结，满意率100%", "3星", "A", "文秘科\n李雪",
      M("已完成交办，正在走访代表委员"),
      M("已办结3件，办结率33%，按时序推进")),
    E("一季度重点工作督查", "3月底前完成一季度重点工作督查，形成督查报告1份", "★★", "B", "督查科\n姜慧敏",
      M("已完成实地督查，督查报告正在审定"),
      M("督查报告已印发", note="已销号")),
    E("文书档案规范化管理", "完成2021年度文书档案归档860件，档案管理达到市级规范化标准", "★", "C", "行政科\n杜鹏飞",
      M("已整理归档320件，完成年度计划37%", "blue"),
      M("已整理归档590件，完成年度计划69%", "blue")),
    E("公文运转提速", "公文办理平均时限压缩至3个工作日以内", "★", "C", "文秘科\n李雪",
      M("一季度公文平均办理时限3.6个工作日，落后于目标要求", "red"),
      M("4月公文平均办理时限2.8个工作日，达到目标要求")),
    E("公共机构节能", "全年公共机构综合能耗较2021年下降2%", "★", "C", "行政科\n杜鹏飞",
      M("一季度能耗同比下降0.6%，按计划推进"),
      M("1-4月能耗同比下降1.1%，按计划推进")),
    E("“事争一流、唯旗是夺”作风建设专项行动",
      "5月底前制定实施方案，开展作风问题自查整改不少于2轮", "★★", "B", "督查科\n姜慧敏",
      None,
      M("实施方案已印发，第1轮自查正在开展", note="5月补录")),
]

D["规划发展部"] = [
    E("对上争取资金", "全年争取上级港航建设资金不少于3.5亿元", "★★★", "D", "项目科/魏书涵",
      M("已落实上级资金0.98亿元，完成年度计划28%，全市交通系统排名第5位", "yellow"),
      M("已落实上级资金1.02亿元，完成年度计划29%，落后于时序进度", "red"), limit="12月底"),
    E("港航建设投资", "全年完成港航建设投资28亿元（市对中心考核指标）", "★★★", "A", "投资科/罗嘉怡",
      M("一季度完成投资10.4亿元，完成年度计划37%", "blue"),
      M("1-4月完成投资14.1亿元，完成年度计划50%", "blue"), limit="12月底"),
    E("港口货物吞吐量", "全年完成港口货物吞吐量9500万吨，同比增长8%", "★★★", "A", "统计科/秦雨桐",
      M("一季度完成2390万吨，完成年度计划25%，同比增长6.2%"),
      M("1-4月完成3280万吨，完成年度计划35%，同比增长7.1%"), limit="12月底"),
    E("港航重点项目储备", "新谋划储备港航项目不少于15个，总投资不低于120亿元", "★★", "B", "项目科/魏书涵",
      M("已谋划项目6个，进度40%", "blue"),
      M("已谋划项目9个，完成年度计划60%", "blue"), limit="11月底"),
    E("“十四五”港航发展规划中期评估", "9月底前完成中期评估报告并报市政府", "★★", "B", "规划科/曹文博",
      M("已完成招标，评估单位开展基础资料收集"),
      M("形成中期评估报告初稿"), limit="9月30日"),
    E("港口岸线利用规划修编", "6月底前完成港口岸线利用规划修编并报批", "★★", "B", "规划科/曹文博",
      M("修编成果已征求意见，按计划推进"),
      M("已报市政府审批，预计为较好等次", "yellow"), limit="6月30日"),
    E("港航统计数据质量", "统计报表按时报送率100%，数据差错率控制在1%以内", "★", "C", "统计科/秦雨桐",
      M("1-3月报表按时报送率100%，数据质量省厅通报排名第2位", "blue"),
      M("1-4月报表按时报送率100%，无差错"), limit="12月底"),
    E("港航物流招商引资", "全年引进港航物流项目4个，签约额不低于20亿元", "★★", "B", "项目科/魏书涵",
      M("已洽谈项目3个，尚未签约，进度缓慢", "red"),
      M("签约项目1个、签约额6.5亿元，完成年度计划33%"), limit="12月底"),
    E("省级多式联运示范工程创建", "申报省级多式联运示范工程1个", "★★★", "D", "规划科/曹文博",
      M("申报材料编制中"),
      M("已通过市级初审，预计为较好等次", "yellow"), limit="10月底"),
    E("2021年度港航发展报告编制", "5月底前完成2021年度港航发展报告并印发", "★", "C", "统计科/秦雨桐",
      M("初稿已完成，进度50%", "blue"),
      M("报告已印发", note="已销号"), limit="5月31日"),
    E("内河港口整合运营", "推动3个港区整合运营，年内组建港口运营平台1个", "★★", "B", "规划科/曹文博",
      M("整合方案已报中心审定"),
      M("运营平台组建方案已经中心党委会研究通过，按计划推进"), limit="12月底"),
    E("港航领域专项债券申报", "全年申报港航专项债券项目5个、额度6亿元", "★★", "D", "投资科/罗嘉怡",
      # Deliberate: blue fill although the clerk wrote 落后于时序进度.
      M("已申报项目1个，完成年度计划18%，落后于时序进度", "blue"),
      M("已申报项目3个、额度3.3亿元，完成年度计划55%", "blue"), limit="10月底"),
]

D["污染防治部"] = [
    E("推进港口船舶岸电设施建设", "全年新建改造港口岸电设施42套，岸电使用量同比增长20%", "★★★", "A",
      "岸电专班/卢振宇",
      M("已建成岸电设施11套，完成年度计划26%"),
      M("已建成岸电设施19套，完成年度计划45%；岸电使用量同比增长23%", "blue"),
      may_name="推进港口船舶岸电设施建设和使用",
      may_target="全年新建改造港口岸电设施42套，靠港船舶岸电使用率达到60%以上"),
    E("船舶污染物接收转运处置", "船舶水污染物“船-港-城”转运处置联单闭环率达到95%以上", "★★★", "A",
      "防污科/袁海波",
      M("联单闭环率为86%，排名全市后3位", "red"),
      M("联单闭环率为89%，仍排名全市后3位，被市生态环境委员会办公室通报", "red")),
    E("中央生态环境保护督察反馈问题整改", "涉港航2项问题6月底前完成整改并通过验收", "★★★", "A",
      "执法协调科/苗凤霞",
      M("已完成整改1项，另1项正在推进"),
      M("2项问题均已完成整改，正在申请验收，进度90%", "blue")),
    E("港口码头粉尘在线监测", "全市规模以上干散货码头粉尘在线监测设施安装率100%", "★★", "B", "监测科/蒋文慧",
      M("已安装28家，安装率70%", "blue"),
      M("已安装37家，安装率93%", "blue")),
    E("内河船舶生活污水防污染改造", "完成400总吨以下内河船舶生活污水防污染改造600艘", "★★", "B",
      "防污科/袁海波",
      M("已完成改造96艘，完成年度计划16%", "red"),
      M("已完成改造210艘，完成年度计划35%")),
    E("港口码头雨污分流改造", "南四湖区域港口码头雨污分流改造20处，完成率100%", "★★", "B", "监测科/蒋文慧",
      M("已完成改造9处，完成率45%", "blue"),
      M("已完成改造14处，完成率70%", "blue")),
    E("化学品船舶洗舱站运行管理", "洗舱站正常运营，全年洗舱作业不少于120艘次", "★", "C", "防污科/袁海波",
      M("完成洗舱作业31艘次，完成年度计划26%"),
      M("完成洗舱作业43艘次，完成年度计划36%")),
    E("新能源船舶推广应用", "推广LNG、纯电动等新能源船舶30艘，争取省级以上示范项目1个", "★★★", "D",
      "岸电专班/卢振宇",
      M("已开工建造纯电动集装箱船2艘，示范项目申报材料编制中"),
      M("示范项目申报在全省排名居中，预计为较好等次", "yellow")),
    E("船舶防污染联合检查", "全年开展船舶防污染联合检查不少于24次", "★", "C", "执法协调科/苗凤霞",
      M("开展联合检查6次，完成年度计划25%"),
      M("开展联合检查9次，完成年度计划38%")),
    E("水上服务区船舶垃圾接收", "全市12处水上服务区船舶垃圾接收设施正常运行率100%", "★", "C", "监测科/蒋文慧",
      M("正常运行11处，运行率92%，预计为较好等次", "yellow"),
      M("12处全部正常运行")),
    E("船舶水污染物联合监管专项行动", "5月至10月开展专项行动，检查船舶不少于1500艘次", "★★", "B",
      "执法协调科/苗凤霞",
      None,
      M("专项行动5月启动，已检查船舶260艘次", note="5月补录")),
]

D["工程建设部"] = [
    E("内河航道整治",
      ["京杭运河主航道升级改造（二期）：全年完成投资3.2亿元",
       "洙水河航道整治：6月底前主体工程完工",
       "白马河航道整治：年内取得初步设计批复"],
      "★★★", "A", "航道科\n薛明亮",
      M(["完成投资0.41亿元，占年度计划13%",
         "主体工程进度30%，受疫情影响材料进场滞后",
         "初步设计已报省交通运输厅审查"], "red"),
      M(["完成投资1.35亿元，占年度计划42%",
         "主体工程进度75%",
         "初步设计已通过省交通运输厅专家评审"], "blue")),
    E("港口码头建设",
      ["北湖港区二期码头工程：全年完成投资5.6亿元",
       "运河港区三期工程：9月底前建成1000吨级泊位4个"],
      "★★★", "A", "港口科\n潘志强",
      M(["完成投资1.5亿元，完成年度计划27%",
         "码头主体完成进度35%"]),
      M(["完成投资2.1亿元，完成年度计划38%",
         "码头主体完成进度48%"])),
    E("船闸扩能改造", "南阳船闸扩能改造工程10月底前完成闸室主体", "★★★", "A", "航道科\n薛明亮",
      M("完成闸室主体工程22%"),
      M("完成闸室主体工程40%")),
    E("在建工程质量安全监督", "在建港航工程质量安全监督覆盖率100%，全年不发生较大及以上安全事故", "★★",
      "A、B", "质监科\n冯博文",
      M("开展质量安全巡查4次，排查隐患17处，已整改15处"),
      M("开展质量安全巡查7次，质量抽检合格率98.5%，全省港航工程质量抽检排名第3位", "blue")),
    E("港口码头工程竣工验收", "4月底前完成北湖港区一期码头工程竣工验收", "★★", "B", "港口科\n潘志强",
      M("已完成竣工验收资料整理，待组织验收"),
      M("4月26日完成竣工验收", note="已销号")),
    E("农民工工资支付保障", "在建项目农民工工资专户开设率、实名制管理率100%，全年零拖欠", "★★", "B",
      "计划科\n于静怡",
      M("12个在建项目专户开设率100%，未发生拖欠"),
      M("12个在建项目专户开设率100%，实名制管理率100%")),
    E("港航重点项目开工", "全年新开工港航重点项目6个（市对中心考核指标）", "★★★", "A", "计划科\n于静怡",
      M("已开工1个，完成年度计划17%，落后于时序进度", "red"),
      M("已开工2个，完成年度计划33%")),
    E("航道养护疏浚", "全年完成航道维护性疏浚40万立方米，航道维护尺度达标率98%以上", "★", "C",
      "航道科\n薛明亮",
      M("完成疏浚11万立方米，完成年度计划28%"),
      M("完成疏浚16万立方米，完成年度计划40%")),
    E("招标文件备案审查", "港航工程招标文件备案审查率100%", "★", "C", "计划科\n于静怡",
      M("审查招标文件5份，备案审查率100%"),
      M("审查招标文件9份，全市交通工程招投标检查排名第6位", "yellow")),
    E("工程档案专项验收", "完成5个已建项目工程档案专项验收", "★", "C", "质监科\n冯博文",
      M("完成2个，进度40%", "blue"),
      M("完成3个，进度60%", "blue")),
]

D["智慧港航部"] = [
    E("智慧港航综合监管平台建设", "年底前建成平台，港口企业、航道、船闸数据接入率100%", "★★★", "A",
      "平台科/郝思远",
      M("平台一期完成开发，数据接入率42%", "blue"),
      M("平台一期上线试运行，数据接入率58%", "blue")),
    E("港口视频监控联网", "全市规模以上港口码头视频监控接入率100%", "★★", "B", "信息科/邹子轩",
      M("接入率15%，受设备采购延迟影响，落后于时序进度", "red"),
      M("接入率62%，超时序进度", "blue")),
    E("船舶过闸智能调度系统试运行", "6月底前完成系统试运行", "★★", "B", "平台科/郝思远",
      M("已完成设备安装调试"),
      None),  # gone in May (merged into the platform item)
    E("交通运输部智慧航道建设试点争创", "争创交通运输部智慧航道建设试点1个", "★★★", "D", "信息科/邹子轩",
      M("申报材料已报省交通运输厅，全省申报项目中排名居中", "yellow"),
      M("已通过省交通运输厅推荐，排名第2位", "blue")),
    E("网络安全等级保护测评", "6个核心业务系统全年完成等保测评", "★★", "B", "网安科/孔令辉",
      M("已签订测评合同，完成1个系统测评"),
      M("完成测评2个，进度33%")),
    E("政务数据归集共享", "向市大数据中心归集港航数据资源不少于40类", "★★", "B", "信息科/邹子轩",
      M("已归集10类，完成年度计划25%"),
      M("已归集14类，完成年度计划35%，市级数据共享考核排名全市第8位", "yellow")),
    E("港航电子证照应用", "港航电子证照签发率达到100%", "★", "C", "平台科/郝思远",
      M("签发率96%"),
      M("签发率98%")),
    E("营运船舶北斗/AIS终端在线率", "辖区营运船舶北斗/AIS终端在线率90%以上", "★", "C", "网安科/孔令辉",
      M("在线率82%，在全省16市中排名后3位", "red"),
      M("在线率87%，在全省16市中排名第10位", "yellow")),
    E("年度信息化项目建设", "年度4个信息化项目全部按期验收", "★", "C", "信息科/邹子轩",
      M("已完成立项审批"),
      # Deliberate: no colour although it says 滞后于时序进度 (should be red).
      M("受疫情影响，2个项目招标滞后于时序进度")),
    E("港航数据资源目录编制", "6月底前完成港航数据资源目录编制，梳理数据项不少于300项", "★★", "B",
      "平台科/郝思远",
      None,
      M("已梳理数据项100项，进度33%", note="补录")),
]

D["水运服务部"] = [
    E("水路运输市场监管", "完成全市水路运输企业年度核查100%，“双随机”抽查比例不低于10%", "★★", "B",
      "市场科 汪建波",
      None, M("已核查企业86家，核查率61%", "blue")),
    E("危险货物港口作业安全监管", "危险货物港口经营人安全检查全覆盖，全年不发生较大及以上事故", "★★★", "A",
      "安全科 段宏伟",
      None, M("完成检查14家，覆盖率33%，按时序推进")),
    E("水上交通安全专项整治", "6月底前完成水上交通安全专项整治巩固提升阶段任务18项", "★★★", "A", "安全科 段宏伟",
      None, M("已完成任务11项，进度61%", "blue")),
    E("船舶检验到期提醒服务", "全年完成船舶营运检验1200艘次，检验到期提醒率100%", "★", "C", "运输科 彭晓梅",
      None, M("完成营运检验352艘次，完成年度计划29%，落后于时序进度", "red")),
    E("港口经营许可“一网通办”", "港口经营许可事项网办率100%，办理时限压减50%", "★★", "B", "服务科 温晓婷",
      None, M("网办率92%，市级营商环境评价排名全市第7位", "yellow")),
    E("水路运输信用体系建设", "完成全部水运企业信用评价，A级以上企业占比不低于30%", "★★", "B", "市场科 汪建波",
      None, M("已完成评价40家，按计划推进")),
    # Deliberate: ★★★ although the source is C (部室安排重点工作).
    E("12345热线工单办理", "热线工单按时办结率100%，满意率95%以上", "★★★", "C", "服务科 温晓婷",
      None, M("按时办结率100%，满意率91%，排名全市后3位", "red")),
    E("老旧运输船舶淘汰更新", "争取中央船舶报废拆解补助资金不少于1500万元", "★★★", "D", "运输科 彭晓梅",
      None, M("已申报补助资金1860万元，完成年度目标124%", "blue")),
    E("水路运输保通保畅", "落实保通保畅措施，重点物资运输船舶通行率100%", "★★★", "A", "运输科 彭晓梅",
      None, M("开通重点物资运输绿色通道，服务船舶2100艘次")),
    E("水路运输企业培育", "全年新增水路运输企业5家", "★", "C", "市场科 汪建波",
      None, M("已受理新设立申请2家，按计划推进")),
]

# --------------------------------------------------------------------------------------------
# The files: who hands in what, when, in which form
# --------------------------------------------------------------------------------------------


@dataclass
class Spec:
    dept: str
    month: str  # "2022-04"
    filename: str
    date: dt.date
    kind: str = "xlsx"  # xlsx (openpyxl) | xls (LibreOffice) | lo-xlsx (LibreOffice)
    quirks: list[str] = field(default_factory=list)
    date_cell: bool = False
    summary_error: bool = False


SPECS = [
    Spec("综合部", "2022-04", "综合部2022.4.xlsx", dt.date(2022, 4, 2),
         quirks=["台账前有“填报说明”工作表和隐藏工作表“下拉选项”", "进度评价写“蓝色/黄色/红色”并填标准色",
                 "重要程度写成“3星”（警告）"]),
    Spec("规划发展部", "2022-04", "规划发展部重点工作台账（2022年4月）.xlsx", dt.date(2022, 4, 1), "lo-xlsx",
         quirks=["备注后多一列“完成时限”", "序号为公式 =ROW()-4（经LibreOffice另存，带缓存值）",
                 "一项标蓝但推进情况写“落后于时序进度”（颜色与进度矛盾）"]),
    Spec("污染防治部", "2022-04", "污染防治部-4月台账.xls", dt.date(2022, 4, 2), "xls",
         quirks=["表头写成“序 号”“备  注”（带空格），“工作事项”“任务目标”等在单元格内换行", "进度评价只填色不写字", "Excel 97（.xls）"]),
    Spec("工程建设部", "2022-04", "工程建设部2022年4月重点工作台账.xlsx", dt.date(2022, 4, 8),
         quirks=["“内河航道整治”合并3行、“港口码头建设”合并2行（分行写任务目标/推进情况）",
                 "任务来源写成“A、B”（警告）", "迟报：填报日期2022年4月8日"]),
    Spec("智慧港航部", "2022-04", "智慧港航部-台账（4月）.xlsx", dt.date(2022, 4, 1),
         quirks=["列顺序不同（重要程度、任务来源在任务目标之前）",
                 "主题色填充：蓝=主题色4淡色60%、黄=主题色7（金色）淡色40%，红为标准色；进度评价不写字"]),
    Spec("综合部", "2022-05", "综合部2022.5.xlsx", dt.date(2022, 5, 5),
         quirks=["同4月（填报说明+隐藏工作表）", "填报日期5月5日（截止当天，不算迟报）",
                 "1项已销号、1项5月补录"]),
    Spec("规划发展部", "2022-05", "规划发展部重点工作台账（2022年5月）.xlsx", dt.date(2022, 5, 5), "lo-xlsx",
         quirks=["同4月（完成时限列、=ROW()-4、LibreOffice另存）", "1项已销号"]),
    Spec("污染防治部", "2022-05", "污染防治部-5月台账.xls", dt.date(2022, 5, 9), "xls",
         quirks=["同4月（表头空格换行、.xls）", "迟报：填报日期2022年5月9日",
                 "事项改名：推进港口船舶岸电设施建设→推进港口船舶岸电设施建设和使用", "1项5月补录"]),
    Spec("工程建设部", "2022-05", "工程建设部2022年5月重点工作台账.xlsx", dt.date(2022, 5, 5),
         quirks=["同4月（合并行、“A、B”）", "1项已销号"]),
    Spec("智慧港航部", "2022-05", "智慧港航部-台账（5月）.xlsx", dt.date(2022, 5, 5),
         quirks=["同4月（列顺序、主题色）", "“船舶过闸智能调度系统试运行”不再列出、1项补录",
                 "一项未标色但推进情况写“滞后于时序进度”（应标未标）"]),
    Spec("水运服务部", "2022-05", "水运服务部重点工作台账(5月份).xlsx", dt.date(2022, 5, 5),
         date_cell=True, summary_error=True,
         quirks=["填报日期为真正的日期单元格（左侧单元格写“填报日期：”）",
                 "账实不符：情况说明写红色3项、未标注颜色3项，表中实为红色2项、未标注4项",
                 "一项★★★但任务来源为C（星级与来源口径不一致）"]),
]

# Per-department layout habits.
LAYOUT = {
    "综合部": {"before_sheets": (("填报说明", True), ("下拉选项", False))},
    "规划发展部": {},
    "污染防治部": {"labels": {"no": "序 号", "name": "工作\n事项", "target": "任务\n目标", "progress": "推进\n情况",
                          "judgement": "进度\n评价", "stars": "重要\n程度", "source": "任务\n来源", "note": "备  注"}},
    "工程建设部": {},
    "智慧港航部": {"order": ("no", "name", "stars", "source", "target", "progress", "judgement", "leader", "owner",
                           "note")},
    "水运服务部": {},
}

# --------------------------------------------------------------------------------------------
# Building
# --------------------------------------------------------------------------------------------


@dataclass
class Logical:
    """One item as the tool should read it (for the expected counts and the summary sentence)."""

    name: str
    stars: str
    source: str
    colour: str | None
    note: str


def month_items(dept: str, month: str) -> list[tuple[E, M]]:
    return [(e, getattr(e, "apr" if month == "2022-04" else "may")) for e in D[dept]
            if getattr(e, "apr" if month == "2022-04" else "may") is not None]


def rows_for(spec: Spec) -> tuple[list[dict], list[tuple[int, int]], list[str], list[Logical]]:
    """Builder rows, merge groups, 完成时限 values and the logical items of one file."""
    palette, texts = PALETTES[spec.dept], JUDGEMENT_TEXT[spec.dept]
    rows: list[dict] = []
    merges: list[tuple[int, int]] = []
    limits: list[str] = []
    logical: list[Logical] = []
    may = spec.month == "2022-05"
    for e, m in month_items(spec.dept, spec.month):
        name = (e.may_name or e.name) if may else e.name
        target = (e.may_target or e.target) if may else e.target
        leader = e.leader or (LEADERS[spec.dept] if e.stars != "★" else HEADS[spec.dept])
        head = {"name": name, "judgement": texts[m.colour], "leader": leader, "owner": e.owner,
                "stars": e.stars, "source": e.source, "note": m.note}
        if m.colour:
            head["fill"] = palette[m.colour]
        targets = target if isinstance(target, list) else [target]
        progress = m.progress if isinstance(m.progress, list) else [m.progress]
        assert len(targets) == len(progress), name
        if len(targets) > 1:
            merges.append((len(rows), len(targets)))
        for k, (t, p) in enumerate(zip(targets, progress, strict=True)):
            rows.append({**head, "target": t, "progress": p} if k == 0 else {"target": t, "progress": p})
            limits.append(e.limit if k == 0 else "")
        logical.append(Logical(name, e.stars, e.source, m.colour, m.note))
    return rows, merges, limits, logical


def expected_counts(items: list[Logical]) -> dict:
    open_items = [i for i in items if not is_closed(i.note, "")]
    stars = [normalise_stars(i.stars)[0] for i in open_items]
    sources = [normalise_source(i.source)[0] or "" for i in open_items]
    return {
        "total": len(open_items),
        "closed": len(items) - len(open_items),
        "stars": {str(n): stars.count("★" * n) for n in (3, 2, 1)},
        "sources": {c: sum(c in s for s in sources) for c in "ABCD"},
        "colours": {k: sum(i.colour == k for i in open_items) for k in ("blue", "yellow", "red")}
        | {"none": sum(i.colour is None for i in open_items)},
    }


def sentence(counts: dict, date_cn: str) -> str:
    s, src, c = counts["stars"], counts["sources"], counts["colours"]
    return (
        f"截至{date_cn}，{CENTER}共梳理重点工作{counts['total']}项，其中从星标看，三级星标{s['3']}项、"
        f"二级星标{s['2']}项、一级星标{s['1']}项；从事项来源看，A级事项{src['A']}项、B级事项{src['B']}项、"
        f"C级事项{src['C']}项、D级事项{src['D']}项；从红黄蓝标注看，蓝色{c['blue']}项，黄色{c['yellow']}项，"
        f"红色{c['red']}项，未标注颜色{c['none']}项。"
    )


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def text_width(text: str) -> int:
    """Width in column units: a CJK character takes about two."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def finish(path: Path, spec: Spec, cols: list[str]) -> None:
    """What the builder leaves to the clerk: widths, footer names, print setup, department habits."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Sheet1"]
    ws.title = {"综合部": "重点工作台账", "智慧港航部": f"{int(spec.month[-2:])}月"}.get(spec.dept, "Sheet1")
    for c, key in enumerate(cols, start=1):
        letter = openpyxl.utils.get_column_letter(c)
        ws.column_dimensions[letter].width = COLUMN_BY_KEY[key].width if key in COLUMN_BY_KEY else 12
    ws.row_dimensions[1].height = 36
    ws.row_dimensions[3].height = 66
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    for cell in ws[4]:
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in ws.iter_rows(min_row=5):
        for cell in row:
            if cell.value == "中心分管领导：王五":
                cell.value = f"中心分管领导：{LEADERS[spec.dept]}"
            elif isinstance(cell.value, str) and cell.value.startswith("台账联系人：赵六"):
                name, phone = CONTACTS[spec.dept]
                cell.value = f"台账联系人：{name}，{phone}"
            elif isinstance(cell.value, str) and cell.value.startswith("说明："):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                ws.merge_cells(start_row=cell.row, start_column=1, end_row=cell.row, end_column=len(cols))
                ws.row_dimensions[cell.row].height = 32
    # Row heights as Excel's "自动调整行高" would leave them (openpyxl writes none; LibreOffice keeps that).
    widths = [ws.column_dimensions[openpyxl.utils.get_column_letter(c)].width for c in range(1, len(cols) + 1)]
    merged = {(rng.min_row, rng.min_col) for rng in ws.merged_cells.ranges if rng.min_row != rng.max_row}
    for r in range(4, ws.max_row + 1):
        lines = 1
        for c, width in enumerate(widths, start=1):
            value = ws.cell(r, c).value
            if value is None or (r, c) in merged or r > 4 and ws.cell(r, c).alignment.wrap_text is not True:
                continue
            lines = max(lines, sum(max(1, -(-text_width(part) // int(width - 1))) for part in str(value).split("\n")))
        if ws.row_dimensions[r].height is None:
            ws.row_dimensions[r].height = 15 * lines + 3
    if spec.date_cell:
        date_col = len(cols) - 2
        ws.cell(2, date_col - 1, "填报日期：").alignment = Alignment(horizontal="right")
        ws.cell(2, date_col).number_format = 'yyyy"年"m"月"d"日"'
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "4:4"
    if spec.dept == "综合部":
        notes = wb["填报说明"]
        lines = ["填报说明", "1. 每月5日前将本表报中心综合部（电子版）。",
                 "2. 重要程度填★★★、★★、★；任务来源填A、B、C、D。",
                 "3. 进度评价按“蓝黄红”标注填色，并写明颜色。", "4. 已完成事项在备注栏注明“已销号”。"]
        for r, line in enumerate(lines, start=1):
            notes.cell(r, 1, line)
        notes["A1"].font = Font(bold=True, size=14)
        notes.column_dimensions["A"].width = 60
        lists = wb["下拉选项"]
        lists["A1"] = None
        for r, v in enumerate(["重要程度", "★★★", "★★", "★"], start=1):
            lists.cell(r, 1, v)
        for r, v in enumerate(["任务来源", "A", "B", "C", "D"], start=1):
            lists.cell(r, 2, v)
        first, last = 5, ws.max_row - 3
        for key, ref in (("stars", "下拉选项!$A$2:$A$4"), ("source", "下拉选项!$B$2:$B$5")):
            letter = openpyxl.utils.get_column_letter(cols.index(key) + 1)
            dv = DataValidation(type="list", formula1=ref, allow_blank=True, showErrorMessage=False)
            dv.add(f"{letter}{first}:{letter}{last}")
            ws.add_data_validation(dv)
        wb.active = wb.sheetnames.index(ws.title)
    if spec.dept == "智慧港航部":
        wb.loaded_theme = office_2013_theme().encode()
    wb.properties.creator = CONTACTS[spec.dept][0]
    wb.properties.created = dt.datetime.combine(spec.date, dt.time(9, 0))
    wb.save(path)


def build(spec: Spec, tmp: Path) -> tuple[Path, dict, str]:
    rows, merges, limits, logical = rows_for(spec)
    layout = LAYOUT[spec.dept]
    order = layout.get("order", ORDER)
    extra = {"完成时限": limits} if spec.dept == "规划发展部" else None
    counts = expected_counts(logical)
    stated = counts
    if spec.summary_error:  # 账实不符: one item counted red that the table leaves uncoloured
        stated = {**counts, "colours": {**counts["colours"], "red": counts["colours"]["red"] + 1,
                                        "none": counts["colours"]["none"] - 1}}
    text = sentence(stated, cn_date(spec.date))
    if PALETTES[spec.dept] == BUILDER_FILLS and not merges and not spec.summary_error:
        # Cross-check with the builder's own counting where its fill detection applies.
        assert text == auto_summary(rows, cn_date(spec.date)), spec.filename
    if spec.dept == "规划发展部":
        for r in rows:
            r["no"] = "=ROW()-4"
    src = tmp / "openpyxl" / f"{Path(spec.filename).stem}.xlsx"
    build_ledger(
        src, rows, department=spec.dept,
        date=spec.date if spec.date_cell else f"填报日期：{cn_date(spec.date)}",
        summary=text, order=order, labels=layout.get("labels"), extra=extra, merge_items=merges,
        before_sheets=layout.get("before_sheets", ()),
    )
    finish(src, spec, list(order) + list((extra or {}).keys()))
    out_dir = EXAMPLES / spec.month
    final = out_dir / spec.filename
    if spec.kind == "xlsx":
        shutil.copyfile(src, final)
    else:
        fmt = "xls" if spec.kind == "xls" else "xlsx"
        converted = convert_with_soffice(src, fmt, tmp / f"lo-{fmt}-{spec.month}")
        shutil.move(converted, final)
    return final, counts, text


# --------------------------------------------------------------------------------------------
# Self-check of what LibreOffice wrote
# --------------------------------------------------------------------------------------------


def check(path: Path, spec: Spec, text: str) -> list[str]:
    """Open the file the way the tool will and return short observations (raises on a broken file)."""
    notes: list[str] = []
    want = {k: fill_rgb(v) for k, v in PALETTES[spec.dept].items()}
    if path.suffix == ".xls":
        book = xlrd.open_workbook(path, formatting_info=True)
        sh = book.sheet_by_index(0)
        assert sh.cell_value(2, 0) == text, "summary sentence changed in .xls"
        jcol = [str(sh.cell_value(3, c)).replace(" ", "").replace("\n", "") for c in range(sh.ncols)].index("进度评价")
        seen = []
        for r in range(4, sh.nrows):
            xf = book.xf_list[sh.cell_xf_index(r, jcol)]
            idx = xf.background.pattern_colour_index
            rgb = book.colour_map.get(idx)
            if xf.background.fill_pattern and rgb:
                seen.append("{:02X}{:02X}{:02X}".format(*rgb))
        assert set(seen) <= set(want.values()), f".xls fills changed: {set(seen)}"
        notes.append(f"xls 进度评价填充 {sorted(set(seen))}")
        return notes
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb.worksheets[-1]
    assert ws["A3"].value == text, "summary sentence changed"
    if spec.dept == "规划发展部":
        nos = [ws.cell(r, 1).value for r in range(5, 5 + len(month_items(spec.dept, spec.month)))]
        assert nos == list(range(1, len(nos) + 1)), f"=ROW()-4 cached values: {nos}"
        notes.append(f"=ROW()-4 缓存值 {nos[0]}..{nos[-1]}")
    return notes


# --------------------------------------------------------------------------------------------
# README and config
# --------------------------------------------------------------------------------------------

TOML = f'''# 示例收件箱的名册与截止日（由 make_examples.py 生成）
center = "{CENTER}"
deadline_day = {DEADLINE_DAY}
departments = [{", ".join(f'"{d}"' for d in ROSTER)}]
'''


def readme(results: list[tuple[Spec, dict, str]]) -> str:
    lines = [
        "# 示例收件箱（虚构数据）",
        "",
        "两个月（2022年4月、5月）的部室重点工作台账，按济航〔2022〕13号附件2填写，人员均为虚构。",
        "由 `PYTHONPATH=src:tests python examples/make_examples.py` 生成（需要 LibreOffice），请勿手改。",
        "",
        f"- 名册（`taizhang.toml`）：{'、'.join(ROSTER)}；每月{DEADLINE_DAY}日前报送。",
        "- 2022-04：缺报 **水运服务部**；迟报 **工程建设部**（填报日期2022年4月8日）。",
        "- 2022-05：六个部室全部报送；迟报 **污染防治部**（2022年5月9日）；综合部等5月5日报送，不算迟报。",
        "- 4月→5月变化：已销号3项（综合部“一季度重点工作督查”、规划发展部“2021年度港航发展报告编制”、"
        "工程建设部“港口码头工程竣工验收”）；不再列出1项（智慧港航部“船舶过闸智能调度系统试运行”）；"
        "补录3项（综合部、污染防治部、智慧港航部各1项）；改名1项（污染防治部岸电）；"
        "变色：黄→红（综合部政务信息报送、规划发展部对上争取资金）、红→蓝（工程建设部内河航道整治、"
        "智慧港航部视频监控联网）、红→无（综合部公文运转提速等）；连续两月红色：污染防治部“船舶污染物接收转运处置”。",
        "",
        "## 文件",
        "",
        "| 月份 | 文件 | 填报日期 | 特点 / 故意设置的问题 |",
        "|---|---|---|---|",
    ]
    for spec, _counts, _text in results:
        lines.append(f"| {spec.month} | `{spec.filename}` | {cn_date(spec.date)} | {'；'.join(spec.quirks)} |")
    lines += [
        "",
        "## 应得计数（表中实际，已销号不计）",
        "",
        "| 月份 | 部室 | 事项 | 销号 | ★★★ | ★★ | ★ | A | B | C | D | 蓝 | 黄 | 红 | 未标 |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for spec, c, _text in results:
        s, src, col = c["stars"], c["sources"], c["colours"]
        lines.append(
            f"| {spec.month} | {spec.dept} | {c['total']} | {c['closed']} | {s['3']} | {s['2']} | {s['1']} | "
            f"{src['A']} | {src['B']} | {src['C']} | {src['D']} | {col['blue']} | {col['yellow']} | "
            f"{col['red']} | {col['none']} |")
    lines += [
        "",
        "“3星”按★★★计，“A、B”按A、B各计1项（任务来源可多选，故A+B+C+D可大于事项数）。"
        "除5月水运服务部外，各表情况说明与表中计数一致。",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    for month in MONTHS:
        out = EXAMPLES / month
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
    (EXAMPLES / "taizhang.toml").write_text(TOML, encoding="utf-8")
    results = []
    with tempfile.TemporaryDirectory(prefix="taizhang-examples-") as tmp:
        for spec in SPECS:
            final, counts, text = build(spec, Path(tmp))
            notes = check(final, spec, text)
            results.append((spec, counts, text))
            c = counts
            print(f"{spec.month}  {spec.filename:<40} total={c['total']:>2} closed={c['closed']} "
                  f"stars={c['stars']} src={c['sources']} col={c['colours']}  {'; '.join(notes)}")
    (EXAMPLES / "README.md").write_text(readme(results), encoding="utf-8")


if __name__ == "__main__":
    main()
