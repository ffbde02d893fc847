"""The named decisions of contract §8: every rejected file and quarantined row cites one.

Like a dlt schema contract, the action for each kind of bad input is explicit:
row rules quarantine a row, file rules reject a file, blocking rules stop
publishing, warnings are only reported.
"""

from __future__ import annotations

RULES: dict[str, tuple[str, str]] = {
    "R1": ("row", "单位或机构引用无法匹配名录"),
    "R2": ("row", "必填值缺失或无法按类型解析"),
    "R3": ("row", "同一文件内自然键重复"),
    "R4": ("row", "交叉巡察的派出区划与被巡察单位所在区划相同"),
    "R5": ("row", "问题或线索找不到对应的巡察，或自查找不到对应的共性问题（孤立记录）"),
    "R6": ("row", "日期先后顺序错误"),
    "R7": ("row", "自查单位不在共性问题的自查范围内"),
    "R8": ("row", "自查表计数自相矛盾"),
    "F1": ("file", "不是可读取的电子表格"),
    "F2": ("file", "没有工作表匹配任何模板"),
    "F3": ("file", "无法确定报送单位"),
    "F4": ("file", "文件超出大小或行列上限"),
    "B1": ("blocking", "事实表自然键不唯一"),
    "B2": ("blocking", "报表出现负数、比率越界或完成数大于发现数"),
    "B3": ("blocking", "全省数与各市之和加省本级不一致"),
    "B4": ("blocking", "报送单位的事实表行数比上次发布减少一半以上"),
    "S1": ("blocking", "发布表含敏感列（反映对象、反映对象职务），§9 禁止"),
    "W1": ("warning", "汇总表自报数与明细推算数不一致"),
    "W2": ("warning", "有区划在他人已报送的年度未报送"),
    "W3": ("warning", "成果联动登记的问题编号不存在"),
    "W4": ("warning", "共性问题自查时限已过仍有单位未报送自查"),
}

ROW_RULE_ORDER = ("R1", "R2", "R3", "R4", "R5", "R6", "R7", "R8")


class FileRejected(Exception):
    """A file rule (F1–F4) decided the whole file is not loaded; other files still are."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(f"{rule}: {message}")
        self.rule = rule
        self.message = message
