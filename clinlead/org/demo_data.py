"""Fixed material for the demo organisation: names of trusts, hospitals, units and people.

Everything here is invented. The mixes roughly follow published NHS workforce shares.
"""

TRUSTS = [
    ("northgate", "Northgate Teaching Hospitals NHS Foundation Trust",
     [("NGI", "Northgate Infirmary"), ("NGG", "Northgate General Hospital"), ("HBC", "Harbour Community Hospital")]),
    ("riverside", "Riverside and Vale NHS Trust",
     [("RVH", "Riverside Hospital"), ("VAL", "Vale District Hospital")]),
    ("st-aidans", "St Aidan's University Hospitals NHS Trust",
     [("SAU", "St Aidan's University Hospital"), ("MOR", "Moorfield Hospital"), ("WES", "Westbrook Hospital")]),
]

DIVISIONS = {
    "Medicine": ["Cardiology", "Respiratory Medicine", "Gastroenterology", "Care of Older People", "Emergency Medicine"],
    "Surgery": ["General Surgery", "Trauma and Orthopaedics", "Urology", "Anaesthetics", "Theatres"],
    "Women's and Children's": ["Obstetrics", "Gynaecology", "Paediatrics", "Neonatology"],
    "Clinical Support Services": ["Radiology", "Pathology", "Pharmacy", "Therapies"],
}

TEAM_WORDS = ["Ward", "Outpatients", "Day Unit", "Inpatients", "Community Team", "Clinic"]

# (profession, share of staff, grades with weights)
PROFESSION_MIX = [
    ("nurse", 0.34, [("Band 5", 6), ("Band 6", 3), ("Band 7", 1)]),
    ("doctor", 0.15, [("Foundation doctor", 2), ("Specialty registrar", 3), ("Specialty doctor", 1), ("Consultant", 3)]),
    ("ahp", 0.12, [("Band 5", 4), ("Band 6", 4), ("Band 7", 2)]),
    ("midwife", 0.03, [("Band 5", 3), ("Band 6", 5), ("Band 7", 2)]),
    ("scientist", 0.05, [("Band 6", 4), ("Band 7", 4), ("Band 8a", 2)]),
    ("pharmacist", 0.02, [("Band 6", 3), ("Band 7", 4), ("Band 8a", 3)]),
    ("manager", 0.21, [("Band 3", 4), ("Band 4", 3), ("Band 6", 2), ("Band 8a", 1)]),
    ("other", 0.08, [("Band 2", 5), ("Band 3", 3), ("Band 4", 2)]),
]

FIRST_NAMES = [
    "Aisha", "Amelia", "Ananya", "Ben", "Bogdan", "Chen", "Chloe", "Chidi", "Daniel", "Deepa",
    "Eilidh", "Emeka", "Emma", "Fatima", "Femi", "Grace", "Hannah", "Hassan", "Isla", "Ivan",
    "Jack", "Jasmine", "Jun", "Kwame", "Laura", "Leah", "Liam", "Maria", "Mohammed", "Nadia",
    "Niamh", "Noah", "Olu", "Oliver", "Priya", "Rachel", "Rhys", "Rosa", "Sam", "Sanjay",
    "Sarah", "Sofia", "Tariq", "Thomas", "Tom", "Usha", "Victoria", "Wei", "Yusuf", "Zara",
    "Adam", "Bethan", "Ciaran", "Dominika", "Eleanor", "Farah", "Gareth", "Helen", "Imran", "Joanna",
    "Kate", "Lucy", "Marcus", "Naomi", "Owen", "Pooja", "Ravi", "Siobhan", "Tendai", "Yasmin",
]

LAST_NAMES = [
    "Adeyemi", "Ahmed", "Ali", "Anderson", "Baker", "Begum", "Bennett", "Brown", "Campbell", "Chen",
    "Clarke", "Davies", "Evans", "Fernandes", "Fraser", "Green", "Hall", "Hughes", "Hussain", "Jackson",
    "James", "Jones", "Kaur", "Khan", "Kowalski", "Lee", "Lewis", "Macdonald", "Martin", "Mensah",
    "Mitchell", "Morgan", "Murphy", "Nguyen", "Novak", "O'Brien", "Okafor", "Owen", "Patel", "Phillips",
    "Price", "Quinn", "Roberts", "Robinson", "Shah", "Singh", "Smith", "Taylor", "Thomas", "Thompson",
    "Walker", "Wang", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young", "Zhang",
]

GENDER_MIX = [("woman", 76), ("man", 22), ("non_binary", 1), ("not_stated", 1)]

# Roughly the NHS workforce's ethnicity mix, by ONS 2021 code.
ETHNICITY_MIX = [
    ("white_british", 62), ("white_irish", 1), ("white_other", 6), ("asian_indian", 8),
    ("asian_pakistani", 2), ("asian_bangladeshi", 1), ("asian_chinese", 1), ("asian_other", 3),
    ("black_african", 7), ("black_caribbean", 1), ("black_other", 1), ("mixed_white_asian", 1),
    ("mixed_white_black_african", 1), ("mixed_white_black_caribbean", 1), ("mixed_other", 1),
    ("other_arab", 1), ("other_any", 1), ("not_stated", 1),
]

# The demo's logins, one per role: (username, role, description).
DEMO_PASSWORD = "clinlead-demo"
PERSONAS = [
    ("alice", "leader", "Clinical director for Cardiology at Northgate, with a team reporting to her"),
    ("bob", "staff", "Staff nurse in Alice's team"),
    ("charlie", "staff", "Staff nurse at Riverside and Vale (another organisation)"),
    ("tara", "talent_admin", "Talent admin for Northgate"),
    ("erin", "executive", "Executive at Northgate: organisation-wide aggregates"),
    ("aude", "auditor", "Auditor at Northgate: the audit log"),
    ("sam", "special_category", "Equality lead at Northgate: gender and ethnicity aggregates"),
    ("admin", "superuser", "Superuser: everything"),
]
