"""Text folding: how names, keys and aliases are compared.

Vietnamese users type with or without accents and in any case (`Hộ`, `ho`, `HO`);
Vietnamese `đ` is a letter of its own, not an accented `d`, so Unicode
decomposition alone does not fold it.
"""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, accent-free, whitespace-collapsed form of ``text``."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
