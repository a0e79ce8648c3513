"""Word lists the sandbox's marketing data is drawn from (names, subjects, forms, links, places)."""

from __future__ import annotations

CAMPAIGN_THEMES = (  # (name, audience)
    ("Spring Product Launch", "Existing customers"),
    ("Summer Webinar Series", "Marketing managers"),
    ("Black Friday Offers", "Subscribers"),
    ("Customer Onboarding", "New customers"),
    ("Partner Program Push", "Agencies and resellers"),
    ("Trade Show Follow-up", "Event leads"),
    ("Annual Report Promotion", "Executives"),
    ("Free Trial Nurture", "Trial users"),
    ("Win-back", "Lapsed customers"),
    ("Holiday Newsletter", "Subscribers"),
    ("Pricing Page Retargeting", "Website visitors"),
    ("Feature Adoption Drive", "Active users"),
)

CAMPAIGN_COLORS = ("#FF7A59", "#00BDA5", "#6A78D1", "#F5C26B", "#F2547D", "#7FD1DE", "#516F90", "#00A4BD")

EMAIL_TOPICS = (  # (name stem, subject)
    ("Monthly newsletter", "What's new this month at Example Co."),
    ("Webinar invite", "Join our live session: growing with automation"),
    ("Product update", "Three new features you asked for"),
    ("Welcome", "Welcome aboard! Here's how to get started"),
    ("Case study", "How Acme doubled their pipeline in 90 days"),
    ("Event reminder", "See you tomorrow? Your seat is saved"),
    ("Offer", "Your 20% discount ends Friday"),
    ("Survey", "Two minutes to tell us how we're doing?"),
    ("Re-engagement", "We miss you — here's what you've missed"),
    ("Blog digest", "This week's most-read articles"),
    ("Trial ending", "Your trial ends in 3 days"),
    ("Ebook", "Free guide: the 2026 marketing playbook"),
)

FROM_NAMES = (  # (fromName, replyTo)
    ("Example Co. Marketing", "marketing@example.com"),
    ("Dana from Example Co.", "dana@example.com"),
    ("The Example Co. Team", "hello@example.com"),
)

LINK_PATHS = (
    "/pricing",
    "/blog/automation-guide",
    "/webinars/growth",
    "/case-studies/acme",
    "/features",
    "/demo",
    "/ebook/playbook",
    "/events/summit",
)

# (name, field names, page slug, formType, archived). Every type HubSpot lists (``formTypes``):
# ``hubspot`` forms, a pop-up (``flow``), blog comments (``blog_comment``), non-HubSpot forms whose
# submissions HubSpot collects (``captured``: the app's trial signup, an old survey tool); two are
# archived (the webinar is over, the survey tool retired), so "every form" means more than the
# default listing (``formTypes=hubspot``, unarchived), and each type is there unarchived.
FORM_KINDS = (
    ("Newsletter signup", ("email", "firstname"), "newsletter", "hubspot", False),
    (
        "Contact us",
        ("email", "firstname", "lastname", "company", "phone", "message"),
        "contact",
        "hubspot",
        False,
    ),
    ("Demo request", ("email", "firstname", "lastname", "company", "jobtitle"), "demo", "hubspot", False),
    ("Ebook download pop-up", ("email", "firstname", "company"), "ebook/playbook", "flow", False),
    (
        "Webinar registration",
        ("email", "firstname", "lastname", "company", "jobtitle"),
        "webinars/growth",
        "hubspot",
        True,
    ),
    ("Free trial", ("email", "firstname", "lastname", "company", "phone"), "trial", "captured", False),
    ("Blog comments", ("email", "firstname", "comment"), "blog/automation-guide", "blog_comment", False),
    ("Feedback survey", ("email", "message"), "feedback", "captured", True),
)

FIELD_LABELS = {
    "email": ("Email", "email"),
    "firstname": ("First name", "single_line_text"),
    "lastname": ("Last name", "single_line_text"),
    "company": ("Company name", "single_line_text"),
    "phone": ("Phone number", "phone"),
    "jobtitle": ("Job title", "single_line_text"),
    "message": ("Message", "multi_line_text"),
    "comment": ("Comment", "multi_line_text"),
}

VISITOR_NAMES = ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Robin", "Kim")
VISITOR_SURNAMES = ("Meyer", "Okafor", "Silva", "Nguyen", "Novak", "Larsen", "Rossi", "Kowalski", "Haddad")
VISITOR_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "proton.me", "example.org")
MESSAGES = ("Please call me back.", "Interested in pricing for 50 seats.", "Great webinar!", "Need a demo.")
COMMENTS = ("Great article, thanks!", "Could you cover the API side next?", "Shared this with my team.")

LOCATIONS = (  # (country, state, city)
    ("United States", "MA", "Boston"),
    ("United States", "CA", "San Francisco"),
    ("United States", "NY", "New York"),
    ("United Kingdom", "England", "London"),
    ("Germany", "Berlin", "Berlin"),
    ("France", "Ile-de-France", "Paris"),
    ("Canada", "ON", "Toronto"),
    ("Australia", "NSW", "Sydney"),
    ("Ireland", "Leinster", "Dublin"),
    ("Netherlands", "North Holland", "Amsterdam"),
)

BROWSERS = {  # device → [(name, family, userAgent)]
    "computer": (
        (
            "Chrome",
            "Chrome",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/129.0 Safari/537.36",
        ),
        ("Firefox", "Firefox", "Mozilla/5.0 (X11; Linux x86_64; rv:131.0) Gecko/20100101 Firefox/131.0"),
        ("Outlook 2019", "Outlook", "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0)"),
    ),
    "mobile": (
        ("Mobile Safari", "Safari", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Mobile/15E148"),
        ("Gmail App", "Gmail", "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Mobile Safari/537.36"),
    ),
    "unknown": (("Unknown", "Unknown", "Mozilla/5.0"),),
}
