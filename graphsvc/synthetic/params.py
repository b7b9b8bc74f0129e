"""Every rate and distribution parameter of the synthetic register, in one place.

docs/synthetic.md explains each one and where it comes from; the tests compare the output
of a 5,000-person register with the values here (never with hard-coded results).
"""

from __future__ import annotations

import datetime as dt

GENERATOR_VERSION = "3"  # 2: the register; 3: an SPO replacing an interim one continues its registration

# -- time --------------------------------------------------------------------------------
AS_OF = dt.date(2026, 6, 30)          # the register's "today": orders expire relative to it
EARLIEST = dt.date(2014, 1, 1)        # no incident before this date
FIRST_START_LATEST = dt.date(2026, 3, 31)

# -- offender profiles (the relationship to the first victim) ----------------------------
PROFILE_WEIGHTS = {"ex_partner": 0.50, "acquaintance": 0.30, "stranger": 0.20}
# Number of primary victims (separate fixations) per offender, by profile.
VICTIM_COUNT_WEIGHTS = {
    "ex_partner": {1: 0.85, 2: 0.10, 3: 0.04, 4: 0.01},
    "acquaintance": {1: 0.78, 2: 0.14, 3: 0.06, 4: 0.02},
    "stranger": {1: 0.62, 2: 0.18, 3: 0.10, 4: 0.06, 5: 0.04},
}
# Relationship of each further victim, by the offender's profile.
RELATIONSHIP_WEIGHTS = {
    "ex_partner": {"ex_partner": 0.85, "acquaintance": 0.15},
    "acquaintance": {"acquaintance": 0.80, "stranger": 0.20},
    "stranger": {"stranger": 0.90, "acquaintance": 0.10},
}
CONCURRENT_RATE = 0.35                # serial offenders whose campaigns overlap in time
SEQUENTIAL_GAP_MEDIAN_DAYS = 180      # lognormal gap between sequential campaigns
SEQUENTIAL_GAP_SIGMA = 0.9
OFFENDER_MALE = 0.82                  # share of offenders who are men
VICTIM_OPPOSITE_GENDER = 0.85         # victims of the other gender than their offender
OFFENDER_AGE = (18, 64)               # uniform, at the first campaign
VICTIM_AGE = (16, 70)

# -- campaigns (one offender fixated on one victim) --------------------------------------
INCIDENTS_MEDIAN = 6                  # lognormal number of recorded incidents per campaign
INCIDENTS_SIGMA = 0.75
INCIDENTS_MIN, INCIDENTS_MAX = 2, 80  # a course of conduct needs two occasions (PHA 1997 s.7)
SPAN_MEDIAN_DAYS = 120                # lognormal duration of a campaign
SPAN_SIGMA = 1.0
SPAN_MAX_DAYS = 1100
# Escalation: share of campaigns that reach physical presence, and of those, harm.
REACH_PRESENCE = {"ex_partner": 0.70, "acquaintance": 0.60, "stranger": 0.50}
REACH_HARM = {"ex_partner": 0.65, "acquaintance": 0.50, "stranger": 0.45}
REMOTE_TYPES = {"call": 0.30, "text": 0.30, "email": 0.10, "social_media": 0.22,
                "letter": 0.04, "gift": 0.04}
PRESENCE_TYPES = {"surveillance": 0.15, "following": 0.30, "loitering": 0.30, "visit": 0.25}
HARM_TYPES = {"damage": 0.40, "threat": 0.45, "assault": 0.15}
# Mix of phases after each boundary: (remote, presence, harm).
PHASE_MIX = ((1.0, 0.0, 0.0), (0.30, 0.70, 0.0), (0.20, 0.20, 0.60))
DATE_ONLY_RATE = 0.15                 # occurred_at recorded as a date without a time
REPORT_DELAY_SHARE = 0.5              # victims endure the first half-ish before reporting

# -- identifiers --------------------------------------------------------------------------
SECOND_PHONE = 0.30
HAS_EMAIL = {"offender": 0.70, "victim": 0.80}
HANDLE_COUNT_WEIGHTS = {0: 0.35, 1: 0.45, 2: 0.20}
HAS_VEHICLE = {"offender": 0.55, "victim": 0.40}
HAS_ALIAS = 0.10                      # offenders with a recorded alias
PLATFORMS = ("instagram", "facebook", "x", "tiktok", "snapchat")
HAS_BURNERS = {"ex_partner": 0.25, "acquaintance": 0.40, "stranger": 0.55}
USE_BURNER = 0.55                     # a remote incident uses a burner when one exists
VEHICLE_SEEN = 0.60                   # a presence/damage incident records the vehicle
THREAT_BY_PHONE = 0.40

# -- identification -----------------------------------------------------------------------
UNIDENTIFIED_RATE = {"ex_partner": 0.06, "acquaintance": 0.15, "stranger": 0.40}

OUTCOME_IDENTIFIED = {"reported": 0.25, "no_further_action": 0.25, "caution": 0.05,
                      "charged": 0.15, "convicted": 0.12, "acquitted": 0.03, "pending": 0.15}
OUTCOME_UNIDENTIFIED = {"reported": 0.50, "no_further_action": 0.45, "pending": 0.05}

# -- orders -------------------------------------------------------------------------------
ORDER_RATE = {"ex_partner": 0.35, "acquaintance": 0.25, "stranger": 0.20}
ORDER_MIN_INCIDENTS = 3
ORDER_TYPE_WEIGHTS = {
    "ex_partner": {"non_molestation_order": 0.30, "restraining_order": 0.25,
                   "stalking_protection_order": 0.12, "interim_stalking_protection_order": 0.08,
                   "domestic_abuse_protection_order": 0.10,
                   "domestic_violence_protection_order": 0.08, "injunction": 0.05, "other": 0.02},
    "acquaintance": {"restraining_order": 0.40, "stalking_protection_order": 0.25,
                     "interim_stalking_protection_order": 0.15, "injunction": 0.15, "other": 0.05},
    "stranger": {"restraining_order": 0.40, "stalking_protection_order": 0.30,
                 "interim_stalking_protection_order": 0.20, "injunction": 0.07, "other": 0.03},
}
# Expiry: (share until further order, min days, max days) per type.
ORDER_EXPIRY = {
    "restraining_order": (0.45, 365, 5 * 365),
    "stalking_protection_order": (0.40, 2 * 365, 5 * 365),
    "interim_stalking_protection_order": (0.0, 60, 180),
    "non_molestation_order": (0.15, 180, 365),
    "domestic_abuse_protection_order": (0.50, 365, 2 * 365),
    "domestic_violence_protection_order": (0.0, 14, 28),
    "injunction": (0.30, 180, 2 * 365),
    "other": (0.50, 180, 3 * 365),
}
FULL_SPO_AFTER_INTERIM = 0.60
ORDER_BREACHED = 0.45                 # the campaign goes on after the order (else it stops)
BREACH_TYPED = 0.40                   # a breach incident is typed "breach" (else keeps its type)

# -- agencies and duplicate records ------------------------------------------------------
OTHER_FORCE_VICTIM = 0.30             # a later victim lives in another force area
VICTIM_MOVES = 0.06                   # victim moves force mid-campaign
BTP_RECORDS = 0.05                    # British Transport Police records part of a campaign
SAME_FORCE_DUPLICATE = 0.04           # an agency fails to match and makes a second record
THIRD_PARTY_RATE = 0.06               # family/friends/new partner harassed as well
COUNTER_ALLEGATION = 0.03             # ex-partner campaigns with a counter-allegation
FORWARD_REFERENCE = 0.03              # chunks writing one person record after its incidents

# -- noise on person records (duplicate = not the first record of that human) --------------
NOISE_DUPLICATE = {
    "nickname": 0.25, "typo_given": 0.06, "typo_family": 0.06, "dob_swapped": 0.08,
    "dob_missing": 0.15, "gender_missing": 0.10, "phones_missing": 0.30,
    "phones_partial": 0.30, "emails_missing": 0.30, "handles_missing": 0.40,
    "vehicles_missing": 0.30, "addresses_missing": 0.30, "aliases_missing": 0.50,
}
NOISE_PRIMARY = {"dob_missing": 0.05, "gender_missing": 0.02, "aliases_missing": 0.30}
FAMILY_UPPER = 0.15                   # notation: a force that records surnames in capitals

# -- namesakes and intake checks --------------------------------------------------------
NAMESAKE_RATE = 0.04                  # chunks holding a second case with a namesake
NAMESAKE_IS_OFFENDER = 0.60           # else the namesake is the second case's victim
CHECK_PROBE_RATE = 0.25               # offenders with a complainant's description
NEGATIVE_PROBE_RATE = 0.03            # chunks with a description of nobody in the register

# -- agencies -------------------------------------------------------------------------------
# code: (weight, towns, postcode areas, vehicle area letters)
FORCES: dict[str, tuple[float, tuple[str, ...], tuple[str, ...], str]] = {
    "MPS": (0.22, ("London",), ("E", "N", "SE", "SW", "W", "NW"), "LY"),
    "WMP": (0.11, ("Birmingham", "Coventry", "Wolverhampton"), ("B", "CV", "WV", "WS"), "BO"),
    "GMP": (0.11, ("Manchester", "Oldham", "Bolton", "Stockport"), ("M", "OL", "BL", "SK"), "MA"),
    "WYP": (0.09, ("Leeds", "Bradford", "Wakefield", "Halifax"), ("LS", "BD", "WF", "HX"), "YA"),
    "TVP": (0.07, ("Oxford", "Reading", "Slough"), ("OX", "RG", "SL"), "OU"),
    "KNT": (0.07, ("Maidstone", "Canterbury", "Dartford"), ("ME", "CT", "DA"), "GU"),
    "HAM": (0.07, ("Southampton", "Portsmouth", "Winchester"), ("SO", "PO"), "HN"),
    "ASP": (0.07, ("Bristol", "Bath", "Taunton"), ("BS", "BA", "TA"), "WA"),
    "MER": (0.06, ("Liverpool", "Birkenhead", "St Helens"), ("L", "CH", "WA"), "CA"),
    "NBR": (0.05, ("Newcastle", "Sunderland", "Gateshead"), ("NE", "SR"), "NA"),
    "SYP": (0.04, ("Sheffield", "Doncaster", "Rotherham"), ("S", "DN"), "YK"),
    "ESX": (0.04, ("Chelmsford", "Colchester", "Southend"), ("CM", "CO", "SS"), "EA"),
}
FORCE_WEIGHTS = {code: spec[0] for code, spec in FORCES.items()}
BTP = "BTP"
COURT_SOURCE = "HMCTS"
ORDER_FROM_COURT = 0.30               # orders supplied by the courts service, not the force

# -- the register (contract section 7; docs/synthetic.md, "The register") ----------------------
# Drawn from a random generator of their own (seeded from the run's seed), after everything else
# in a chunk: the register adds records and truth lines and changes none of the others.
REGISTER_SEED_SALT = 0x5EED_0007
REGISTER_CONVICTED = 0.30             # convicted offenders placed on the register (basis conviction)
CONVICTION_DELAY_DAYS = (30, 240)     # from the convicted incident's report to the conviction
CONVICTION_FIXED_TERM = 0.30          # conviction registrations with an end (else indefinite)
CONVICTION_TERM_YEARS = (5, 10)
# The initial notification: on time (within the period), late, or never made.
INITIAL = {"on_time": 0.82, "late": 0.10, "missing": 0.08}
ANNUAL = {"on_time": 0.86, "late": 0.09, "missing": 0.05}
CHANGE = {"on_time": 0.85, "late": 0.15}    # a notified change of address or name
LATE_DAYS = (1, 40)                   # how long after the last day a late notification comes
ANNUAL_EARLY_DAYS = 45                # an annual notification on time falls in its last 45 days
MOVE_RATE = 0.35                      # registrations during which he moves home once
MOVE_OTHER_FORCE = 0.50               # the new home is in another force's area
MOVE_NOTIFIED = 0.60                  # he notifies the move (else he does not)
MOVE_REVEALED = 0.70                  # an unnotified move shows in the new area's force's record
NAME_CHANGE = 0.03                    # registrations during which he notifies a new family name
TRAVEL = 0.15                         # registrations with a travel notification (meets no duty)
MOVED_HOME = "moved_home"             # the noise tag of a record made at a home he did not notify

__all__ = [name for name in dir() if name.isupper()]
