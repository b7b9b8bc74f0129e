"""Built-in synthetic name lists.

Common UK given and family names (frequent in ONS birth registrations and the electoral
roll), so that no combination points to a real case. Nicknames map a formal given name to
the short forms agencies record instead (``Jonathan`` -> ``Jon``).
"""

from __future__ import annotations

__all__ = ["MALE", "FEMALE", "FAMILY", "NICKNAMES", "BURNER_WORDS"]

MALE: tuple[str, ...] = (
    "Jonathan", "William", "Robert", "Michael", "James", "Thomas", "Richard", "Daniel",
    "Christopher", "Matthew", "Anthony", "Andrew", "Joseph", "David", "Stephen", "Steven",
    "Edward", "Benjamin", "Samuel", "Alexander", "Nicholas", "Peter", "Timothy", "Kenneth",
    "Patrick", "Mark", "Paul", "Gary", "Lee", "Craig", "Dean", "Darren", "Wayne", "Jason",
    "Ryan", "Liam", "Connor", "Kieran", "Jordan", "Callum", "Adam", "Scott", "Neil", "Simon",
    "Ian", "Kevin", "Carl", "Stuart", "Mohammed", "Imran", "Arjun", "Rhys", "Owen", "Jamal",
    "Tariq", "Hamza", "Gareth", "Philip", "Luke", "Jack",
)

FEMALE: tuple[str, ...] = (
    "Elizabeth", "Katherine", "Catherine", "Margaret", "Jennifer", "Rebecca", "Victoria",
    "Samantha", "Alexandra", "Charlotte", "Deborah", "Susan", "Patricia", "Christine", "Amanda",
    "Jessica", "Abigail", "Natalie", "Stephanie", "Eleanor", "Sarah", "Emma", "Laura",
    "Claire", "Rachel", "Hannah", "Sophie", "Chloe", "Lucy", "Amy", "Gemma", "Kelly", "Leanne",
    "Nicola", "Joanne", "Lisa", "Helen", "Zoe", "Megan", "Olivia", "Priya", "Aisha", "Fatima",
    "Amira", "Sian", "Kirsty", "Louise", "Jade", "Holly", "Emily",
)

FAMILY: tuple[str, ...] = (
    "Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Wilson", "Thomas",
    "Johnson", "Roberts", "Robinson", "Thompson", "Wright", "Walker", "White", "Edwards",
    "Hughes", "Green", "Hall", "Lewis", "Harris", "Clarke", "Patel", "Jackson", "Wood",
    "Turner", "Martin", "Cooper", "Hill", "Ward", "Morris", "Moore", "Clark", "Lee", "King",
    "Baker", "Harrison", "Morgan", "Allen", "James", "Scott", "Phillips", "Watson", "Davis",
    "Parker", "Price", "Bennett", "Young", "Griffiths", "Mitchell", "Kelly", "Cook", "Carter",
    "Richardson", "Bailey", "Collins", "Bell", "Shaw", "Murphy", "Miller", "Cox", "Richards",
    "Khan", "Marshall", "Anderson", "Simpson", "Ellis", "Adams", "Singh", "Begum", "Wilkinson",
    "Foster", "Chapman", "Powell", "Webb", "Rogers", "Gray", "Mason", "Ali", "Hunt", "Hussain",
    "Campbell", "Matthews", "Owen", "Palmer", "Holmes", "Mills", "Barnes", "Knight", "Lloyd",
    "Butler", "Russell", "Barker", "Fisher", "Stevens", "Jenkins", "Murray", "Dixon", "Harvey",
    "Graham", "Pearson", "Ahmed", "Fletcher", "Walsh", "Kaur", "Gibson", "Howard", "Andrews",
    "Stewart", "Elliott", "Reynolds", "Saunders", "Payne", "Fox", "Ford", "Pearce", "Day",
    "Brooks", "West", "Lawrence", "Cole", "Atkinson", "Bradley", "Spencer", "Gill", "Dawson",
    "Ball", "Burton", "O'Brien", "Watts", "Rose", "Booth", "Perry", "Ryan", "Grant", "Wells",
    "Armstrong", "Francis", "Rees", "Hayes", "Hart", "Hudson", "Newman", "Barrett", "Webster",
    "Hunter", "Gregory", "Carr", "Lowe", "Page", "Marsh", "Riley", "Dunn", "Woods", "Parsons",
    "Berry", "Stone", "Reid", "Holland", "Hawkins", "Harding", "Porter", "Robertson", "Newton",
    "Oliver", "Reed", "Kennedy", "Williamson", "Bird", "Gardner", "Shah", "Dennis", "Warren",
)

NICKNAMES: dict[str, tuple[str, ...]] = {
    "Jonathan": ("Jon", "Jonny"), "William": ("Will", "Bill", "Billy"),
    "Robert": ("Rob", "Bob", "Bobby"), "Michael": ("Mike", "Mick"), "James": ("Jim", "Jamie"),
    "Thomas": ("Tom", "Tommy"), "Richard": ("Rich", "Richie"), "Daniel": ("Dan", "Danny"),
    "Christopher": ("Chris",), "Matthew": ("Matt",), "Anthony": ("Tony", "Ant"),
    "Andrew": ("Andy", "Drew"), "Joseph": ("Joe", "Joey"), "David": ("Dave", "Davey"),
    "Stephen": ("Steve",), "Steven": ("Steve",), "Edward": ("Ed", "Eddie", "Ted"),
    "Benjamin": ("Ben",), "Samuel": ("Sam", "Sammy"), "Alexander": ("Alex", "Xander"),
    "Nicholas": ("Nick", "Nicky"), "Peter": ("Pete",), "Timothy": ("Tim",),
    "Kenneth": ("Ken", "Kenny"), "Patrick": ("Pat", "Paddy"), "Philip": ("Phil",),
    "Gareth": ("Gaz",), "Mohammed": ("Mo",),
    "Elizabeth": ("Liz", "Beth", "Lizzie"), "Katherine": ("Kate", "Kath", "Katie"),
    "Catherine": ("Cathy", "Kate"), "Margaret": ("Maggie", "Peggy"),
    "Jennifer": ("Jen", "Jenny"), "Rebecca": ("Becky", "Becca"), "Victoria": ("Vicky", "Tori"),
    "Samantha": ("Sam", "Sammy"), "Alexandra": ("Alex", "Lexi"),
    "Charlotte": ("Charlie", "Lottie"), "Deborah": ("Debbie", "Deb"), "Susan": ("Sue",),
    "Patricia": ("Pat", "Trish"), "Christine": ("Chris", "Chrissie"), "Amanda": ("Mandy",),
    "Jessica": ("Jess",), "Abigail": ("Abby",), "Natalie": ("Nat",), "Stephanie": ("Steph",),
    "Eleanor": ("Ellie", "Nell"), "Rachel": ("Rach",), "Nicola": ("Nicky",),
    "Joanne": ("Jo",),
}

BURNER_WORDS: tuple[str, ...] = (
    "shadow", "watcher", "silent", "friend", "admirer", "ghost", "night", "owl", "secret",
    "always", "near", "seen", "truth", "mirror", "echo", "lost", "true", "blue", "quiet",
    "fox", "raven", "storm", "north", "lonely",
)
