"""How roles are named to people, and the words they may type for them."""

from ..figures.wording import ROLE_NAMES  # noqa: F401  (the chat names roles as the desk does)
from ..models import Role
from ..models.text import fold

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
