"""Public holidays per country and subdivision, from the `holidays` package (a
maintained source covering about 200 countries), so admins never type them by hand."""

from datetime import date

import holidays


def region_error(country: str, subdivision: str) -> str | None:
    """Why (country, subdivision) is not a region the source knows, or None."""
    supported = holidays.list_supported_countries()
    if country not in supported:
        return f"No public-holiday calendar for the country code “{country}”."
    if subdivision and subdivision not in supported[country]:
        return (
            f"{country} has no subdivision “{subdivision}” "
            f"(known: {', '.join(supported[country]) or 'none'})."
        )
    return None


def public_holidays(country: str, subdivision: str, years: range) -> dict[date, str]:
    """The region's public holidays in these years (observed days included), named in
    English where the source has a translation."""
    found = holidays.country_holidays(
        country, subdiv=subdivision or None, years=years, language="en_US"
    )
    return dict(sorted(found.items()))
