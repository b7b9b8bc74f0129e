"""Common English given-name nicknames (public, general knowledge; no person data).

``FORMAL[nickname]`` gives the formal names a nickname is short for. The linkage adds those
formal names to a record's ``names``, so "Trish" and "Patricia" meet at the *alias or
nickname* level even when neither record lists the other as an alias.
"""

from __future__ import annotations

__all__ = ["FORMAL", "formal_names"]

_GROUPS: dict[str, str] = {
    "abigail": "abi abby abbie gail",
    "alexander": "alex al alec sandy xander",
    "alexandra": "alex alexa lexi sandra sasha",
    "alfred": "alf alfie fred",
    "andrew": "andy drew",
    "anthony": "tony ant",
    "barry": "baz",
    "benjamin": "ben benny benji",
    "catherine": "cath cathy kate katie kat",
    "katherine": "kath kathy kate katie kat kitty",
    "charles": "charlie chas chuck",
    "charlotte": "charlie lottie lotte",
    "christine": "chris chrissie tina",
    "christopher": "chris kit topher",
    "daniel": "dan danny",
    "darren": "daz",
    "david": "dave davey",
    "deborah": "debbie deb debs",
    "dorothy": "dot dotty dolly",
    "edward": "ed eddie ted teddy ned",
    "elizabeth": "liz lizzie beth betty bess eliza libby",
    "frederick": "fred freddie",
    "gareth": "gaz",
    "gary": "gaz",
    "geoffrey": "geoff",
    "gerald": "gerry",
    "henry": "harry hal hank",
    "harold": "harry hal",
    "isabel": "izzy bella",
    "jacqueline": "jackie jacqui",
    "james": "jim jimmy jamie jas",
    "jennifer": "jen jenny",
    "jessica": "jess jessie",
    "emily": "em emmy",
    "amanda": "mandy",
    "kimberley": "kim",
    "natalie": "nat",
    "gemma": "gem",
    "megan": "meg",
    "imogen": "immy",
    "yasmin": "yaz",
    "tobias": "toby",
    "callum": "cal",
    "declan": "dec",
    "kieran": "kez",
    "john": "jack johnny",
    "jonathan": "jon jonny",
    "joseph": "joe joey",
    "josephine": "jo josie",
    "kenneth": "ken kenny",
    "lawrence": "larry laurie",
    "leonard": "len lenny leo",
    "margaret": "maggie meg peggy marge madge",
    "matthew": "matt matty",
    "michael": "mike mick micky mikey",
    "nathan": "nate nat",
    "nicholas": "nick nicky",
    "nicola": "nicky nikki",
    "patricia": "pat patty trish tricia",
    "patrick": "pat paddy",
    "peter": "pete",
    "philip": "phil pip",
    "rebecca": "becky becca bex",
    "richard": "rich richie rick dick",
    "robert": "rob robbie bob bobby bert",
    "ronald": "ron ronnie",
    "samantha": "sam sammy",
    "samuel": "sam sammy",
    "sarah": "sally sal",
    "stephen": "steve stevie",
    "steven": "steve stevie",
    "stuart": "stu",
    "susan": "sue suzy",
    "terence": "terry",
    "theodore": "theo ted teddy",
    "thomas": "tom tommy",
    "timothy": "tim timmy",
    "victoria": "vicky vicki tori",
    "william": "will bill billy liam",
    "zachary": "zach zack",
}

FORMAL: dict[str, tuple[str, ...]] = {}
for _formal, _nicks in _GROUPS.items():
    for _n in _nicks.split():
        FORMAL[_n] = (*FORMAL.get(_n, ()), _formal)


def formal_names(name: str) -> tuple[str, ...]:
    """Formal names a (lower-case) nickname may stand for; empty when it is not a nickname.

    >>> formal_names("trish")
    ('patricia',)
    """
    return FORMAL.get(name, ())
