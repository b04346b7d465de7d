"""Word lists and text templates for the demo data (vipdesk/demo/seed.py).

Ordinary templates never contain a churn phrase: churn language enters a ticket
only through DIRECT_CHURN, INDIRECT_CHURN and NEGATED_CHURN, so its rate is the
configured one (tests/demo checks this)."""


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST_NAMES = words(
    "Amelia Aarav Beatriz Bilal Camille Chen Dana Diego Elena Emeka Fatima Felix Grace Gustavo "
    "Hana Hassan Ingrid Isaac Jana Javier Kai Keiko Lara Liam Maya Mateo Nadia Noah Olga Omar "
    "Priya Pablo Quinn Rafael Sara Samuel Tara Tomasz Uma Viktor Wei Willa Ximena Yusuf Yara "
    "Zoe Aisha Anders Bruno Carmen Daniel Eva Farah Gabriel Helena Ivan Julia Kofi Leila Marco "
    "Nina Oscar Paula Rhys Sofia Theo Vera Wanjiru Adele Ben Clara David Erik Freya Hugo Iris "
    "Jonas Kira Lucas Mira Nils Ola Pedro Rosa Sven Tessa Ulrich Valentina Yuki Zara Ada Chloe "
    "Dmitri Esther Fiona Georg Ines Joel Lena Malik Nora Otto Ruth Simon Talia Vikram Wendy"
)

LAST_NAMES = words(
    "Anderson Bauer Castillo Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Lindqvist "
    "Martinez Novak Okafor Petrov Quintero Rossi Schmidt Tanaka Ueda Varga Walsh Xu Yamamoto "
    "Zimmermann Abbott Brennan Chowdhury Delgado Ebert Fontaine Gallagher Hoffmann Iyer Jovanovic "
    "Kaur Larsen Moreau Nakamura Oyelaran Pereira Quinn Ramirez Sato Thompson Usman Vasquez "
    "Weber Yilmaz Zhang Adeyemi Bianchi Carter Dimitrov Engel Ferreira Gomez Horvath Ibrahim "
    "Jackson Kim Lopez Mensah Nielsen Olsen Patel Reyes Silva Torres Umar Volkov Wagner Young "
    "Ahmed Berg Cohen Diaz Evans Farouk Green Hughes Ivanova Johansson Keller Lam Murphy Nguyen "
    "O'Brien Park Richter Sharma Turner Vogel Wright Zeller Baker Clarke Dahl Foster Grant Hale"
)

COMPANY_WORDS = words(
    "Northwind Contoso Blue-Harbor Silver-Pine Redwood Summit Brightline Cobalt Granite Harborview "
    "Ironbridge Juniper Keystone Lakeshore Meridian Northstar Oakridge Pinnacle Riverbend Sapphire "
    "Tidewater Vantage Westfield Zephyr Atlas Beacon Cascade Driftwood Evergreen Foxglove "
    "Goldcrest Highland Kestrel Lumen Maple Nimbus Orchid Polaris Quill Rosewood Sterling Trident "
    "Vertex Willow Apex Bramble Cedar Ember Falcon Glacier Halcyon Indigo Kinetic Lighthouse "
    "Mosaic Nova Onyx Prairie Radiant Solstice Tundra Upland Wren Zenith Aurora Bluebird Copper "
    "Dune Elmwood Fairway Greystone Hawthorn Ironwood Jasper Kingfisher Larkspur Monarch Newport "
    "Obsidian Peregrine Quarry Ridgeline Seabright Thornbury Unity Valiant Waypoint Alder Basalt "
    "Crescent Dovetail Emberly Fjord Gilded Harrow Islay Lantern Marigold Nightingale"
)

SECTORS = words(
    "Logistics Health Analytics Retail Freight Energy Labs Foods Capital Insurance Robotics Media "
    "Systems Software Biotech Manufacturing Hospitality Learning Telecom Mobility Payments "
    "Security Pharma Construction Marine Aerospace Agritech Travel Legal Realty"
)

LEGAL_SUFFIXES = ("", "", "", " Inc.", " Ltd", " GmbH", " Group", " Co.", " AG", " LLC", " BV")
REGIONS = ("Europe", "Americas", "Asia", "Nordics", "UK", "Canada", "Australia", "Japan", "Iberia")

PLANS_BY_TIER = {
    1: ("Enterprise",),
    2: ("Enterprise", "Enterprise", "Business"),
    3: ("Business", "Business", "Enterprise"),
    4: ("Starter", "Team", "Team", "Business"),
}

EXECUTIVE_TITLES = (
    "CEO",
    "Chief Technology Officer",
    "CFO",
    "Chief Operating Officer",
    "VP of Operations",
    "VP Engineering",
    "Vice President, Finance",
    "Founder & CEO",
    "CIO",
    "SVP Customer Experience",
)
BOARD_TITLES = ("Board Member", "Investor, Board Observer")
CHAMPION_TITLES = (
    "Head of Operations",
    "Director of Customer Support",
    "Analytics Lead",
    "Operations Manager",
    "Director of IT",
)
ORDINARY_TITLES = (
    "Operations Analyst",
    "Support Engineer",
    "IT Administrator",
    "Data Analyst",
    "Accounts Payable Specialist",
    "Software Engineer",
    "Project Manager",
    "Office Manager",
    "Logistics Coordinator",
    "Product Manager",
    "Finance Manager",
    "Team Lead, Dispatch",
    "Systems Administrator",
    "Marketing Specialist",
)
# Executives on our side, named as an account's executive sponsor.
SPONSOR_TITLES = ("VP Customer Success", "Chief Revenue Officer", "VP Sales", "COO", "CTO")

INTEGRATIONS = ("Salesforce", "NetSuite", "Slack", "Snowflake", "SAP", "HubSpot", "Okta", "Jira")
FEATURES = ("report scheduling", "audit log export", "custom roles", "bulk editing", "dark mode")
TEAMS = ("finance", "dispatch", "warehouse", "sales", "support", "engineering", "marketing")
MONTHS = words(
    "January February March April May June July August September October November December"
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")

# category: (weight, priority weights P1..P4, subjects, problems, agent replies)
CATEGORIES = {
    "billing": (
        18,
        (0, 5, 45, 50),
        (
            "Question about invoice INV-{n}",
            "Billing discrepancy on our {month} invoice",
            "Charged for {seats} seats but we only have {seats2}",
            "Need an updated W-9 and billing contact",
            "${small} charge we do not recognise",
        ),
        (
            "Our {month} invoice shows a line item we can't match to our order form.",
            "We were billed for {seats} seats, but our admin page lists {seats2} active users.",
            "Accounts payable needs a corrected invoice with our new PO number before they pay.",
            "There is a ${small} charge on the last invoice that nobody here recognises.",
        ),
        (
            "I've checked the invoice against your order form and issued a corrected copy.",
            "Thanks for flagging this. The extra seats came from an auto-provisioning rule; "
            "I've credited the difference.",
        ),
    ),
    "login": (
        16,
        (8, 30, 50, 12),
        (
            "SSO login failing for the {team} team",
            "Users locked out after password reset",
            "SAML error after renewing our Okta certificate",
            "Two-factor codes not arriving",
        ),
        (
            "Since this morning nobody in {team} can sign in with SSO; they get an error page.",
            "After a password reset, {seats} users are locked out and cannot get back in.",
            "We rotated our identity provider certificate and now every SAML login fails.",
            "Text messages with login codes are not arriving for several colleagues.",
        ),
        (
            "Your identity provider is sending the old certificate fingerprint. I've updated "
            "it on our side; please ask the team to sign in again.",
            "I've unlocked the affected users and reset their sessions.",
        ),
    ),
    "integration": (
        18,
        (6, 30, 50, 14),
        (
            "{integration} sync stopped working",
            "Webhook deliveries failing with HTTP 500",
            "API rate limit errors since {weekday}",
            "Duplicate records after the {integration} import",
        ),
        (
            "Our {integration} sync has not run since {weekday}; records are out of date.",
            "Webhook deliveries to our endpoint fail with HTTP 500 and are not retried.",
            "We are hitting API rate limits with the same traffic we always had.",
            "The nightly {integration} import created duplicate records for about {seats} rows.",
        ),
        (
            "The sync job was stuck behind an expired token. I've re-authorised the connector "
            "and triggered a full resync.",
            "We found a regression in webhook retries and deployed a fix; deliveries are "
            "flowing again.",
        ),
    ),
    "performance": (
        14,
        (10, 35, 45, 10),
        (
            "Dashboards very slow to load",
            "Reports timing out for large date ranges",
            "Search takes over a minute",
        ),
        (
            "Dashboards take more than thirty seconds to load for the {team} team.",
            "Any report over ninety days times out before it finishes.",
            "Searching for a shipment takes over a minute, which blocks our operators.",
        ),
        (
            "One of your saved reports was scanning the full history. I've added an index "
            "and it now loads in a few seconds.",
            "We moved your workspace to a less busy cluster; response times are back to normal.",
        ),
    ),
    "outage": (
        6,
        (55, 40, 5, 0),
        (
            "Production outage: app unavailable",
            "Errors across all workspaces",
            "Data not updating since {weekday} night",
        ),
        (
            "The app returns errors for everyone in our company right now.",
            "None of our workspaces load; our operations floor is at a standstill.",
            "Data stopped updating overnight and our morning reports are empty.",
        ),
        (
            "We had an incident on one of our database clusters. It is resolved and we are "
            "preparing a root-cause report for you.",
        ),
    ),
    "data": (
        12,
        (2, 18, 55, 25),
        (
            "Need a full data export",
            "CSV import rejects rows",
            "Historical data missing for {month}",
        ),
        (
            "We need a full export of our data for an internal audit.",
            "The CSV import rejects rows with dates in the day/month format.",
            "Our history for {month} looks incomplete compared with last year.",
        ),
        (
            "I've started the export; you'll get a download link by e-mail within the hour.",
            "The importer now accepts both date formats; please try the file again.",
        ),
    ),
    "access": (
        10,
        (0, 8, 52, 40),
        (
            "Add new admin users",
            "Change the account owner",
            "Remove access for a former employee",
        ),
        (
            "Please add two colleagues from {team} as administrators.",
            "Our account owner has left; please transfer ownership to me.",
            "A former employee still has access and we need it removed today.",
        ),
        ("Done: the changes are live and the users have been notified.",),
    ),
    "feature": (
        6,
        (0, 2, 38, 60),
        (
            "Feature request: {feature}",
            "Is {feature} on the roadmap?",
        ),
        (
            "We would really like {feature}; it would save the {team} team hours every week.",
            "Is {feature} planned? Our {team} team keeps asking for it.",
        ),
        ("Thanks, I've passed this to the product team and linked your account to the request.",),
    ),
}

DETAILS = (
    "",
    "",
    " It affects roughly {seats} people on our side.",
    " We noticed it first on {weekday}.",
    " Screenshots are attached.",
    " We already tried clearing the cache and signing out.",
    " This blocks our month-end reporting.",
)
GREETINGS = ("Hi team,", "Hello,", "Hi there,", "Good morning,", "Hi support,")
CLOSINGS = ("Thanks,", "Best regards,", "Thank you,", "Cheers,", "Kind regards,")

DIRECT_CHURN = (
    "If this is not fixed by the end of the month we will cancel our subscription.",
    "Honestly, we are looking at alternatives at this point.",
    "Our leadership asked me to start evaluating alternatives before the renewal.",
    "We are not renewing unless this gets resolved.",
    "Given how little we use it, we may downgrade to the Team plan.",
    "Please tell me how to cancel the remaining seats.",
)
INDIRECT_CHURN = (
    "I'm frustrated; this is the third time this quarter.",
    "This keeps happening and my team has lost confidence.",
    "We are not getting value from the analytics module.",
    "Our executive team is asking why we are paying for this.",
    "The team is frustrated with how long these tickets take.",
)
# A direct phrase under negation: a churn detector must not count these.
NEGATED_CHURN = (
    "To be clear, we are not planning to cancel; we just need this fixed.",
    "We have no plans to downgrade, we only want the invoice corrected.",
    "We are definitely not looking at alternatives, but this is blocking us.",
)
# Agent text that, quoted back in a customer's reply, must not count as churn language.
AGENT_DOWNGRADE_OFFER = (
    "If the current plan is more than you need, you can downgrade or cancel add-ons "
    "yourself under Settings > Billing."
)

FOLLOW_UPS = (
    "Thanks, that fixed it for most users, but two people still see the problem. Could you "
    "check their accounts as well?",
    "Thanks for the quick answer. Can you confirm this will not happen again after the next "
    "release?",
    "That worked. Could you also send us a short summary we can share internally?",
    "We tried that but the issue is still there this morning. What else can we check?",
)
# What a disengaged customer writes: short and flat.
SHORT_FOLLOW_UPS = ("Any update?", "Still broken.", "Ok.", "Same issue today.", "Noted.")
AGENT_CLOSINGS = (
    "Glad we could sort this out. I'm marking the ticket as solved; just reply if it comes back.",
    "Closing this one now. Thanks for your patience!",
)

CSM_NOTES = (
    "QBR moved to next month; the champion wants a roadmap preview first.",
    "Usage dropped after their reorg. Scheduling a training session for the new team.",
    "Finance is pushing back on the renewal uplift. Prepare a value summary.",
    "Executive sponsor call went well; they want quarterly check-ins.",
    "Champion has gone quiet since the SSO incident. Reach out through the account manager.",
    "Expansion opportunity with the {team} team: they asked for a pilot.",
)

ESCALATION_SUMMARIES = {
    "technical": (
        "Repeated sync failures blocking month-end close",
        "Webhook outage caused missed shipments",
        "SSO failures locked out the whole operations team",
    ),
    "commercial": (
        "Dispute over seat count on the renewal quote",
        "Invoice errors three months in a row",
    ),
    "relationship": (
        "Champion unhappy with response times",
        "Customer feels unheard after repeated tickets",
    ),
    "executive": (
        "Customer CEO complained directly to our CEO",
        "Executive sponsor asked for a recovery plan",
    ),
    "legal": ("Customer asked for a data-processing audit after an incident",),
}
