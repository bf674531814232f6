"""Text folding: how names, keys and aliases are compared.

Vietnamese users type with or without accents and in any case (`Hộ`, `ho`, `HO`);
Vietnamese `đ` is a letter of its own, not an accented `d`, so Unicode
decomposition alone does not fold it.
"""

import unicodedata

# The words a place's name begins with to say its kind (folded, longest first): a village's,
# a commune's, a province's. `Thôn Khe Bai` and `Xóm Khe Bai` are one name with two kinds.
PLACE_KINDS = tuple(sorted((
    "thon", "xom", "ap", "ban", "lang", "khu pho", "to dan pho", "tdp", "kp",
    "xa", "phuong", "thi tran", "tinh", "thanh pho", "tp"), key=len, reverse=True))


def bare_name(name: str) -> str:
    """A place's folded name without its kind word: `Thôn Khe Bai` → `khe bai`."""
    folded = fold(name)
    kind = next((k for k in PLACE_KINDS if folded.startswith(k + " ")), None)
    return folded[len(kind) + 1:] if kind else folded


def fold(text: str) -> str:
    """Lower-case, accent-free, whitespace-collapsed form of ``text``."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
