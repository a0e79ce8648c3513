"""Word lists the sandbox's CRM records are drawn from (first and last names, company words,
domains, notes …): pure data, kept apart so ``_generate`` reads as the logic it is."""

from __future__ import annotations


def _words(text: str, sep: str | None = None) -> list[str]:
    """A word list written as one string (keeps the pools below readable)."""
    return text.split(sep)


FIRST = _words(
    "Olivia Liam Emma Noah Ava Elijah Sophia James Isabella William Mia Benjamin Charlotte Lucas "
    "Amelia Henry Harper Theodore Evelyn Jack Abigail Levi Emily Alexander Ella Jackson Elizabeth "
    "Mateo Camila Daniel Luna Michael Sofia Mason Avery Sebastian Mila Ethan Aria Logan Scarlett Owen "
    "Penelope Samuel Layla Jacob Chloe Asher Victoria Aiden Madison John Eleanor Joseph Grace Wyatt "
    "Nora David Riley Leo Zoey Luke Hannah Julian Hazel Hudson Lily Grayson Ellie Matthew Violet Ezra "
    "Lillian Gabriel Zoe Carter Stella Isaac Aurora Jayden Natalie Luca Emilia Anthony Everly Dylan "
    "Leah Lincoln Aubrey Thomas Willow Maverick Addison Elias Lucy Josiah Audrey Charles Bella Caleb "
    "Nova Christopher Brooklyn Ezekiel Paisley Miles Savannah Jaxon Claire Isaiah Skylar Andrew Isla "
    "Joshua Genesis Nathan Naomi Nolan Elena Adrian Caroline Cameron Eliana Santiago Anna Eli Maya "
    "Aaron Valentina Ryan Ruby Angel Kennedy Cooper Ivy Waylon Ariana Easton Aaliyah Kai Cora "
    "Christian Madelyn Landon Alice Colton Kinsley Roman Hailey Axel Gabriella Brooks Allison "
    "Jonathan Gianna Robert Serenity Jameson Samantha Ian Sarah Everett Quinn Greyson Eva Wesley "
    "Piper Jeremiah Sophie Hunter Sadie Leonardo Delilah Jordan Josephine Jose Nevaeh Bennett Adeline "
    "Silas Arya Nicholas Emery Parker Lydia Beau Clara Weston Vivian Austin Madeline Connor Peyton "
    "Carson Julia Dominic Rylee Xavier Brielle"
)
LAST = _words(
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers "
    "Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson "
    "Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders "
    "Patel Myers Long Ross Foster Jimenez Muller Schmidt Schneider Fischer Weber Meyer Wagner Becker "
    "Schulz Hoffmann Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Dubois Moreau Laurent "
    "Simon Michel Lefebvre Leroy Roux Novak Kowalski Wisniewski Nowak Tanaka Suzuki Takahashi "
    "Watanabe Ito Yamamoto Nakamura Kobayashi Sato Chen Wang Li Zhang Liu Yang Huang Zhao Wu Zhou "
    "Singh Kumar Sharma Gupta Okafor Mensah Haddad Lindqvist Andersen Nielsen Hansen Jensen Larsen "
    "Olsen Virtanen Korhonen Silva Santos Oliveira Souza Pereira"
)
TITLES = _words(
    "Marketing Manager|Head of Marketing|VP Sales|Account Executive|Sales Development Representative|"
    "CEO|CTO|CFO|Founder|Product Manager|Software Engineer|Data Analyst|Operations Manager|"
    "Customer Success Manager|Office Manager|Procurement Specialist|IT Director|HR Business Partner|"
    "Content Strategist|Growth Lead|Financial Controller|Engineering Manager|Designer|"
    "Director of Operations|Consultant",
    "|",
)
LOCATIONS = [
    ("Boston", "Massachusetts", "United States"), ("New York", "New York", "United States"),
    ("San Francisco", "California", "United States"), ("Austin", "Texas", "United States"),
    ("Chicago", "Illinois", "United States"), ("Seattle", "Washington", "United States"),
    ("Toronto", "Ontario", "Canada"), ("Vancouver", "British Columbia", "Canada"),
    ("London", "England", "United Kingdom"), ("Manchester", "England", "United Kingdom"),
    ("Dublin", "Leinster", "Ireland"), ("Berlin", "Berlin", "Germany"), ("Munich", "Bavaria", "Germany"),
    ("Paris", "Île-de-France", "France"), ("Amsterdam", "North Holland", "Netherlands"),
    ("Stockholm", "Stockholm", "Sweden"), ("Madrid", "Madrid", "Spain"), ("Milan", "Lombardy", "Italy"),
    ("Sydney", "New South Wales", "Australia"), ("Singapore", "Singapore", "Singapore"),
    ("Tokyo", "Tokyo", "Japan"), ("São Paulo", "São Paulo", "Brazil"), ("Mumbai", "Maharashtra", "India"),
    ("Cape Town", "Western Cape", "South Africa"),
]  # fmt: skip
CO_A = _words(
    "North Blue Bright Silver Iron Cedar Summit Harbor Atlas Nimbus Quantum Vertex Lumen Granite "
    "Pioneer Beacon Evergreen Crescent Falcon Orbit Meridian Sterling Cobalt Aurora Keystone Redwood "
    "Horizon Pinnacle Riverstone Apex Zenith Copper Oak Polar Sunrise Velvet Willow Maple Prairie"
)
CO_B = _words(
    "Analytics Labs Systems Logistics Partners Health Foods Robotics Energy Media Capital Software "
    "Networks Dynamics Solutions Works Studios Consulting Goods Motors Pharma Security Cloud Retail "
    "Foundry Outfitters Telecom Learning Realty Bio Aerospace Insurance Textiles Games Travel"
)
PRODUCTS = [
    "Platform license",
    "Onboarding package",
    "Enterprise plan",
    "Starter plan",
    "Data add-on",
    "Support renewal",
    "Consulting hours",
    "API bundle",
    "Training seats",
    "Hardware refresh",
]
ISSUES = [
    "Cannot log in",
    "Invoice question",
    "Export fails",
    "Feature request",
    "Sync is slow",
    "Password reset",
    "Billing address change",
    "Integration error",
    "Report missing data",
    "Upgrade plan",
]
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com", "proton.me", "icloud.com"]
WORDS = _words(
    "prefers email; asked for a demo; budget approved; follow up next quarter; met at conference; "
    "referred by partner; evaluating competitors; needs security review; renewal at risk; "
    "champion identified; legal review pending; pilot running",
    "; ",
)
