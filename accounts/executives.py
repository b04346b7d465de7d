"""Is a contact an executive (C-level, VP, board member, investor)? Decided from the title."""

import re

DEFAULT_EXECUTIVE_TITLES = (
    "ceo, cfo, cto, coo, cio, ciso, cmo, cro, chief, president, vp, vice president, svp, evp, "
    "board, investor, founder"
)


def title_patterns(titles: str) -> list[str]:
    return [t.strip().lower() for t in titles.split(",") if t.strip()]


def is_executive_title(title: str, titles: str = DEFAULT_EXECUTIVE_TITLES) -> bool:
    """True when a title word or phrase appears on word boundaries: "VP of Ops" and
    "Chief Financial Officer" are executives, "Vice-principal" and "Assistant to the CEO"
    are not ("assistant to" and "office of" work for someone else)."""
    text = (title or "").lower()
    if re.search(r"\b(assistant|office|executive assistant|ea) (to|of)\b", text):
        return False
    return any(re.search(rf"\b{re.escape(p)}\b", text) for p in title_patterns(titles))
