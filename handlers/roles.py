"""How roles are named to people, and the words they may type for them."""

from ..locales import N_
from ..models import Role
from ..models.text import fold

ROLE_NAMES = {
    Role.MEMBER: N_("team member"),
    Role.VILLAGE_LEADER: N_("team leader"),
    Role.OFFICE: N_("commune office"),
    Role.LEADER: N_("commune leader"),
    Role.ADMIN: N_("administrator"),
    Role.PROVINCE_OFFICE: N_("province office"),
    Role.PROVINCE_LEADER: N_("province leader"),
}

ROLE_WORDS = {
    **{role.value: role for role in Role},
    "thanh vien": Role.MEMBER,
    "to truong": Role.VILLAGE_LEADER,
    "van phong": Role.OFFICE,
    "can bo": Role.OFFICE,
    "lanh dao": Role.LEADER,
    "quan tri": Role.ADMIN,
    "van phong tinh": Role.PROVINCE_OFFICE,
    "lanh dao tinh": Role.PROVINCE_LEADER,
}


def role_from_words(text: str) -> Role | None:
    return ROLE_WORDS.get(fold(text))
