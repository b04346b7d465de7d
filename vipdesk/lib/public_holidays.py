"""Public holidays per country and subdivision, from the `holidays` package (a
maintained source covering about 200 countries), so admins never type them by hand."""

import re
from datetime import date

import holidays
from holidays.registry import COUNTRIES


def country_choices() -> list[tuple[str, str]]:
    """(ISO code, "Name (code)") of every country the source covers, by name."""
    names = {
        entry[1]: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", entry[0]) for entry in COUNTRIES.values()
    }
    return sorted(
        ((code, f"{names[code]} ({code})") for code in names), key=lambda choice: choice[1]
    )


def subdivision_error(country: str, subdivision: str) -> str | None:
    """Why `subdivision` is not one of the country's, or None."""
    known = holidays.list_supported_countries()[country]
    if subdivision not in known:
        return (
            f"{country} has no subdivision “{subdivision}” (known: {', '.join(known) or 'none'})."
        )
    return None


def public_holidays(country: str, subdivision: str, years: range) -> dict[date, str]:
    """The region's public holidays in these years (observed days included), named in
    English where the source has a translation."""
    found = holidays.country_holidays(
        country, subdiv=subdivision or None, years=years, language="en_US"
    )
    return dict(sorted(found.items()))
