"""Judgements about a message's words that the conversation needs, made once when the text is parsed.

Rule for this module: pure functions of the text, the gazetteer and the parse so far; no store, no settings.
"""

from __future__ import annotations

import re

from nlu.gazetteer import Gazetteer

#: What may stand beside a place name in a message that only says where (「我住在平东小区3栋」).
_PLACE_FILLER = re.compile(r"[\W\d_a-zA-Z]|[东南西北前后正大侧]门|门口|旁边|对面|楼下|路口|这儿|这里|那儿|这边|那边|你们|大家|各位|看看|看下|看|这个|一下|就是|就|"
                           r"我|住|在|家|是|的|了|这|那|"
                           r"里|边|附近|小区|号楼|栋|单元|室|号|楼")


def names_only_a_place(text: str, gazetteer: Gazetteer) -> bool:
    """「广场花苑小区」, 「我住在平东小区」, 「芙蓉苑5栋 asdf」: a place and nothing about a problem."""
    rest = text
    for name in gazetteer.places:
        rest = rest.replace(name.surface, "")
    return not _PLACE_FILLER.sub("", rest)


#: Words of a complaint about people rather than things (no category's keywords name them).
_COMPLAINT = re.compile(r"投诉|举报|态度(?:很|太|特别|非常)?(?:差|不好|恶劣|蛮横)|不作为|乱收费")


def complains(text: str) -> bool:
    """「我要投诉网格员态度不好」: a complaint, though no category's keywords are in it."""
    return bool(_COMPLAINT.search(text))


#: The people who would handle a report: a complaint about them must not be sent to them.
_STAFF = re.compile(r"网格员|网格长|网格书记|网格党支部|网格的人|社区干部|社区书记|(?:社区|街道|网格)的?工作人员|社区的人|居委会|社工")
_CONDUCT = re.compile(r"态度|不作为|推诿|推脱|扯皮|敷衍|刁难|骂人|凶|不理|不管|不来|不回|不处理|拖着|吃拿卡要|收红包|收钱")


def about_staff(text: str) -> bool:
    """「网格员态度太差，我要投诉」: a complaint about the staff themselves, for the community to handle."""
    return bool(_STAFF.search(text)) and bool(_CONDUCT.search(text) or _COMPLAINT.search(text))


#: Words that drop what is being told: 取消, 算了, 不说了, 不用了… (with 那/还是/先 around them).
_CANCEL_WORD = (r"取消|算了|算啦|不用了|不用|不说了|不报了|不弄了|不要了|没事了|没事儿|不需要了|不需要|撤销|不管了|不反映了|"
                r"不用管|别管|发错|弄错|搞错|已经好了|已经修好了|自己修好了")
_CANCEL = re.compile(rf"^(?:(?:那|那就|还是|哦|噢|嗯|好吧|我|先|就)*(?:{_CANCEL_WORD})(?:吧|啦|了|哈|呗|呀|啊)*)+(?:谢谢|谢啦|谢了)*$")
_YES = re.compile(r"^(?:是|是的|是啊|是呀|对|对的|对啊|对呀|没错|嗯|嗯嗯|好|好的|确认|正确|就是|就是它|就是这个|是这个|"
                  r"yes|yeah|yep|correct|right|thatsright|ok|okay)+$")
_NO = re.compile(r"^(?:不是|不是的|不对|错了|否|没有|不|都不是|不是这个|不是这里|也不是|no|nope|notthat|wrong)+$")


def _core(text: str) -> str:
    """The words alone: no punctuation, spaces or emoji."""
    return "".join(ch for ch in text if ch.isalnum())


def is_cancel(text: str) -> bool:
    """「算了不说了」, 「取消」, 「那就不用了吧」: the person drops what they were telling."""
    core = _core(text)
    return bool(core) and len(core) <= 12 and bool(_CANCEL.match(core))


def yes_or_no(text: str) -> str | None:
    """"yes" for 「是」「对的」「没错」 (yes), "no" for 「不是」「不对」 (no); None when the words are more than an answer."""
    core = _core(text).lower()
    if _YES.match(core):
        return "yes"
    if _NO.match(core):
        return "no"
    return None


#: Words that say something is wrong now: broken, blocked, leaking, dirty, noisy, in the way, dangerous, hurt,
#: or left undone (没人管, 一直不修). Each is the predicate of a problem, whatever the thing is.
_WRONG = re.compile(
    r"坏|(?<![这那])破|漏|(?<!路上)(?<![更心])堵(?!车|着|成|得慌)|塌|歪|断|裂|松动|松了|翘|掉|脱落|不亮|灭了|黑漆漆|黑灯|一片黑|臭|脏|乱|吵|噪音|扰民|占|堆|满了|溢|"
    r"没人(?:管|收|扫|打扫|清|修|处理|弄)|一直不修|不修|什么时候(?:能|才|会)?(?:修|弄|处理|清|来)|积水|淹|反水|"
    r"爆(?!单)|冒(?:烟|火|水)|(?<![发红干])烧(?!烤|饭|菜|水|肉|饼|鸡|鹅|麦|卖)|着火|起火|火花|危险|隐患|摔|被困|困在|晕倒|昏倒|撞(?:坏|歪|倒)|被偷|没了|不见了|"
    r"坑|碎|裸露|过期|违章|违建|搭建|高空抛物|拉屎|油烟|漏油|气味|煤气味|味道很|打架|卡住|关不上|打不开|进不来|出不去|"
    r"过不去|没法用|受不了|倒了(?!杯)|倒在|乱倒|倒垃圾|快倒|谁倒的|压(?:到|在|着|断)|被埋|埋在|露出|漫|拖得|"
    r"拱|缺(?:了|失|口)|灌水|露在外|拆了|被拆|粪|"
    r"充电(?!宝|柜|桩|器)|爬到[^，。！？,.!?]{0,6}(?:外|顶|上面)|"
    # what was done to a thing (被车撞弯, 被风掀了, 被白蚁蛀空), what a thing no longer does (没反应, 用不了), and
    # what nearly happened or will (差点, 要倒, 摇摇欲坠): predicates of a problem, whatever the thing
    r"被[^，。！？,.!?]{0,4}(?:撞|砸|掀|蛀|刮|吹|压|挡|剪|挖|刨|弄|撬)|砸到|撞弯|弯了|变形|"
    r"没反应|用不了|不能用|不好用|不出水|一直卡|卡着|"
    r"差点|好险|吓人|随时|(?:会|要)倒|欲坠|有个(?:大)?洞|大洞|鼓起|起皮|锈|发黄|是黄的|滑倒|绊倒|"
    r"(?:半夜|晚上|凌晨)[^，。！？,.!?]{0,8}(?:还在|一直)|没有(?:斑马线|护栏|灯)|都没有|全是油|喷水|"
    # noise from drills and hammers, things that no longer respond
    r"电钻|电锤|砸墙|睡不(?:了|着)|没法睡|吵醒|失灵|不灵了|摇晃|晃荡|停(?:水|电|气)|(?:水|电|气)(?:又|都)?停了|陷(?:下去|了)|"
    # noise into the night
    r"(?:唱|吵|闹|放|跳|打|响)到(?:半夜|凌晨|深夜|[零一两二三四\d]{1,2}点)")
#: Talk among people, not a report to the community: thanks and praise, work reported done, banter, and
#: requests or questions to the other people in the group (帮我带…, 有人在…吗, 谁知道…, …在哪).
_TALK = re.compile(
    r"谢谢|感谢|多谢|谢啦|辛苦|点个?赞|👍|🎉|真及时|真快|好人|恭喜|欢迎|加油|好评|"
    r"(?:修|换|补|盖|清|剪|弄|装|处理|解决|清理|填|铺|扶|挪|搬|拖|运)(?:好|完|走|上|掉|平|正)了|换新的了|换了新的|"
    r"(?<!不)亮了|(?<!不)通了|退了|"
    r"真(?:好|亮|快|方便|干净|及时)|挺好|挺[^，。！？,.!?]{0,1}(?:负责|及时|靠谱|用心|热心|快)|不错|很好用|(?<!不)舒服|(?<!不)方便|"
    r"好吃|好喝|真香|好香|听说|幸好|幸亏|客户|顾客|通知|提前|哪有|哪儿有|哪家|有人知道|"
    # the speaker's own things (a rider's brakes, phone, delivery box): no matter for the community
    r"我(?:的|家的)?(?:电动车|电瓶车|手机|刹车|头盔|车胎|轮胎|电池|车)(?![筐篮库位棚])|外卖箱|^我(?:已经)?到[^，。！？,.!?]{1,10}了|你下来|下来拿|"
    r"我(?:在|刚到|到了)[^，。！？,.!?]{0,12}(?:等|躲|歇|吃)|等单|送到了|请假|"
    r"还好没事|没(?:啥|什么)大?事了?$|已经没事|已经有人(?:处理|报|在弄)|不用再报|哈哈|笑死|😂|"
    r"有人在[^，。！？,.!?]{0,10}(?:吗|没有|不)|有没有人(?:去|在|顺路|一起|用过|知道)|"
    r"谁(?:有|知道|能帮|带|借|去|的)|帮我(?:带|捎|看|顶|拿|买|代)|顺路|捎|借我|拼车|一起(?:去|吃)|"
    r"在哪|哪里|哪儿|怎么走|怎么进|几点|多少|哪个方向|哪边|哪位|怎么查|几号楼|来着|[停放送去]哪[？?]?$|顺便|帮我送|"
    # a problem gone (不漏了, 已经填平了) and figures of speech about oneself (热死我了, 忙疯了, 单子爆了)
    r"不(?:漏|堵|响|吵|臭|晃)了|已经[^，。！？,.!?]{0,6}(?:修|换|填|清|通|弄)(?:好|平|完|走|了)|(?:清|扫|打扫)得[^，。！？,.!?]{0,2}干净|"
    r"(?:昨天|前天|上午|早上|早就|刚刚?|当天|当场|第二天|马上|很快|立马|立刻)就?(?:已经)?(?:修|换|补|填|清|通|装|弄|处理)"
    r"(?:好|完|平|了)|"
    r"死我了|疯了|(?:单子|电话|打)[^，。！？,.!?]{0,2}爆|(?:脑袋|头)[^，。！？,.!?]{0,4}(?:炸|大)|"
    r"(?:腿|腰|脚)[^，。！？,.!?]{0,2}(?:都|要|快)[^，。！？,.!?]{0,3}断|心里[^，。！？,.!?]{0,2}堵|坑爹|"
    # traffic, which the riders talk about and nobody in the community can mend
    r"堵车|塞车|路上(?:好|太|很|真)?堵|堵成")


#: Things a person can see broken, whatever their name in the deployment: structures, fittings, street furniture.
_THING = re.compile(r"棚|屋顶|房顶|顶棚|墙|窗|玻璃|(?<!出)门(?!口)|灯|杆|管|桶|箱|牌|梯|栏|扶手|井|盖|砖|线|柜|椅|凳|架|板|"
                    r"桥|沟|池|树|绿化|草坪|地面|路面|台阶|车库|楼道|厕|道闸|喷泉|滑梯|秋千|器材|空调|水龙头|阀")


def names_a_thing(text: str) -> bool:
    """「自行车棚顶被风掀了」, 「单元门坏了」: the words name a thing that can be broken (not a person or a feeling)."""
    return bool(_THING.search(text))


#: Words that ask something: a question mark, 吗, 是不是, 怎么, 哪, 几号/几点/几栋, 啥, 谁.
_ASKS = re.compile(r"[?？]|吗|是不是|怎么|哪|几(?:号|点|栋|楼)|啥|谁")


def asks(text: str) -> bool:
    """「广场花苑3栋是不是要从地库走」, 「平东小区几号门晚上不关啊」: the words ask something."""
    return bool(_ASKS.search(text))


#: What splits a message into clauses: punctuation, and the spaces people type instead of it.
_CLAUSES = re.compile(r"[，。！？,.!?；;、~\s]+")
#: A problem said to be over: mended (修好了, 当天就修了, 已经填平), fine now (现在挺好的), or past experience (坏过).
_OVER = re.compile(
    r"(?:修|换|补|盖|清|剪|弄|装|处理|解决|清理|填|铺|扶|挪|搬|拖|运)(?:好|完|走|平|正)了|换新的了|换了新的|"
    r"已经[^，。！？,.!?]{0,6}(?:修|换|填|清|通|弄|处理|解决)|"
    r"(?:当天|当场|第二天|马上|很快|立马|立刻|后来|早就)就?(?:已经)?(?:修|换|补|填|清|通|装|弄|处理)|"
    r"现在(?:挺好|好了|正常|没事|没问题|通畅)|不(?:漏|堵|响|吵|臭|晃)了|来(?:电|水)了|恢复(?:了|供水|供电|正常)|"
    r"(?:清|扫|打扫|收拾|弄)得[^，。！？,.!?]{0,2}(?:干净|整齐)|没(?:啥|什么)大?事|送(?:到|去)?医院了")


#: Figures of speech whose words look like a problem: the speaker's legs "broken" by running, a heart "blocked",
#: a customer who is "a pit".
_FIGURE = re.compile(r"(?:腿|腰|脚)[^，。！？,.!?]{0,2}(?:都|要|快)[^，。！？,.!?]{0,3}断|心里[^，。！？,.!?]{0,2}堵|坑爹|是个坑|"
                     r"死我了|疯了|(?:单子|电话|打)[^，。！？,.!?]{0,2}爆")


def _wrong_clauses(text: str) -> list[str]:
    """The clauses that say something is wrong now (see :func:`says_something_is_wrong`)."""
    clauses = [c for c in _CLAUSES.split(text) if c]
    found = []
    for i, clause in enumerate(clauses):
        figures = [f.span() for f in _FIGURE.finditer(clause)]
        for m in _WRONG.finditer(clause):
            if clause[m.end():m.end() + 1] == "过":             # 坏过, 爆过: it happened once
                continue
            if any(s <= m.start() < e for s, e in figures):
                continue
            if _OVER.search(clause, m.start()) or any(_OVER.search(c) for c in clauses[i + 1:]):
                continue
            found.append(clause)
            break
    return found


def says_something_is_wrong(text: str) -> bool:
    """「站牌歪了」, 「公厕好几天没人打扫了」, 「电梯什么时候能修好」: the words say something is wrong now.

    Not when the line goes on to say the problem is over: 「上次门禁坏了当天就修了」, 「水管爆过一次 后来修好了」,
    「电梯坏过 现在挺好的」 (a problem named, then its end, in that clause after it or in a later one)."""
    return bool(_wrong_clauses(text))


def reports_beside_talk(text: str) -> bool:
    """「大家辛苦了 顺便说一下 芙蓉苑门口井盖松了」: beside the talk, a clause of its own says a thing is wrong now
    (no thanks, question or banter in that clause)."""
    return any(_THING.search(c) and not _TALK.search(c) for c in _wrong_clauses(text))


def is_talk(text: str) -> bool:
    """「井盖修好了，谢谢网格员」, 「有人在龙西路那边吗？帮我带个充电宝」: words for the people in a group."""
    return bool(_TALK.search(text))
