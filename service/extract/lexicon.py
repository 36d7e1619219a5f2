"""The words extraction reads: reporting cues by construction, the nouns and entity labels that
name (or never name) an actor, and the punctuation of quotations.
"""
from __future__ import annotations


# -- reporting cues (lemmas) -----------------------------------------------------------------
SPEECH_LEMMAS = {
    "say", "tell", "claim", "stipulate", "insist", "maintain", "mention", "argue", "warn", "deny",
    "add", "state", "assert", "announce", "confirm", "report", "stress", "note", "suggest",
    "declare", "explain", "acknowledge", "admit", "allege", "contend", "emphasise", "emphasize",
    "reiterate", "predict", "reply", "respond", "write", "tweet", "post", "indicate", "signal",
    "complain", "concede", "estimate", "reveal", "boast", "repeat", "caution", "demand",
    "believe", "think", "hint", "recall", "testify", "underline", "underscore", "observe",
    "remark", "affirm", "proclaim", "disclose", "forecast", "agree", "urge", "propose",
    "recommend", "promise", "pledge", "vow", "threaten", "guarantee", "assure", "concur",
    "question", "doubt", "dispute", "reject", "ask", "press", "encourage", "advise",
    "rule", "conclude", "find", "refute", "rebut", "contest",
}
# Verbs whose infinitive or "to"-object is the claim: "agreed to halt …", "agreed to a ceasefire".
COMMIT_LEMMAS = {
    "agree", "promise", "pledge", "vow", "refuse", "threaten", "offer", "decline", "commit",
    "propose", "undertake", "consent", "volunteer", "intend", "plan", "seek", "aim", "hope",
    "expect", "want", "call", "urge",
}
# Verbs whose object plus following phrase is the claim: "accused Putin of rejecting …".
OBJECT_LEMMAS = {
    "accuse", "dismiss", "blame", "call", "describe", "brand", "label", "praise", "criticise",
    "criticize", "condemn", "credit", "charge", "warn", "urge",
}
# Verbs whose object noun (+ attached preposition) is the claim: "expressed openness to …".
EXPRESS_LEMMAS = {"express", "voice", "signal", "reaffirm", "reiterate", "announce", "declare"}
# Verbs that may take a plain object as the claim (passive subject, too: "X was announced by Y").
DOBJ_LEMMAS = {"announce", "deny", "confirm", "reject", "propose", "demand", "report", "reveal",
               "disclose", "promise", "pledge", "offer", "mention", "predict", "forecast", "dismiss",
               "dispute", "refute", "rebut", "contest"}
# Verbs that are cues only with a clause, never with an object alone or an infinitive.
CLAUSE_ONLY = {"think", "believe", "hope", "expect", "want", "plan", "intend", "seek", "aim",
               "add", "tell", "note", "observe", "rule", "conclude", "find"}
# Verbs with an addressee and an infinitive: "urged Putin to accept …" (claim keeps the object).
PERSUADE_LEMMAS = {"urge", "ask", "press", "encourage", "invite", "advise", "warn", "call",
                   "challenge", "implore", "beg"}
# Verbs that deny what their object names; an object that only points back ("denied the
# accusation", "rejected that account", "denied it") stands for the earlier claim it points to.
DENIAL_LEMMAS = {"deny", "reject", "dismiss", "dispute", "refute", "rebut", "contest"}
REFERRING_NOUNS = {"accusation", "accusations", "allegation", "allegations", "claim", "claims", "account",
                   "report", "reports", "charge", "charges", "suggestion", "suggestions", "assertion",
                   "assertions", "characterisation", "characterization", "version", "story", "criticism"}
POINTING_WORDS = {"it", "that", "this", "these", "those", "them", "so"}  # what a pointing phrase may end in
REFERRING_WORDS = {"it", "that", "this", "these", "those", "them", "so", "the", "such", "any", "all", "of",
                   "his", "her", "their", "its", "those", "latest", "earlier", "opposition", "'s"}
ACCUSATION_NOUNS = {"accusation", "accusations", "allegation", "allegations", "charge", "charges"}
ALLEGING_CUES = {"accused", "accuses", "blamed", "blames", "charged", "alleged", "alleges"}
# Accusations and blame assert something about their object: "accused B of hiding …" → "B hid …".
ACCUSE_LEMMAS = {"accuse", "charge"}
BLAME_LEMMAS = {"blame"}
CHARACTERISE_LEMMAS = {"dismiss", "describe", "brand", "label", "denounce", "condemn", "criticise",
                       "criticize", "call", "characterise", "characterize", "portray", "decry"}
MIN_CONTENT_WORDS = 3  # a statement carries at least this many content words ("the duties were unjustified")
REQUEST_LEMMAS = {"ask", "beg", "implore", "invite"}
# "declined to say whether …", "refused to confirm …": what someone would not say is no claim of theirs
WITHHOLDING_LEMMAS = {"decline", "refuse"}
SAYING_LEMMAS = {"say", "comment", "confirm", "disclose", "reveal", "elaborate", "specify", "discuss", "answer",
                 "speculate", "name", "identify", "give", "provide", "explain"}
REQUEST_NOUNS = {"application", "attempt", "appeal", "bid", "request", "motion", "petition", "resignation",
                 "objection", "complaint", "challenge", "lawsuit", "suit"}
ALL_CUE_LEMMAS = SPEECH_LEMMAS | COMMIT_LEMMAS | OBJECT_LEMMAS | EXPRESS_LEMMAS | DOBJ_LEMMAS

# Prepositions that carry the content in object constructions ("accused X of …").
OBJECT_PREPS = {"of", "as", "for", "over", "to", "against", "about"}
TEMPORAL_PREPS = {"following", "after", "before", "amid", "amidst", "during", "despite"}
CIRCUMSTANCE_PREPS = {"following", "amid", "amidst", "despite"}
DASHES = {"–", "—", "--", "―"}
PROXY_NOUNS = {"office", "spokesman", "spokeswoman", "spokesperson", "team", "government",
               "administration", "aides", "aide", "camp", "press", "ministry", "spokespeople",
               "statement", "letter", "filing"}
PERSON_PRONOUNS = {"he", "she", "him", "her"}
PRONOUN_GENDER = {"he": "he", "him": "he", "she": "she", "her": "she"}
SPOKESPEOPLE = {"spokesman", "spokeswoman", "spokesperson"}
# People who are no actor, however capitalised ("Staff said …" opening a sentence).
UNNAMED_GROUPS = {"staff", "residents", "officials", "analysts", "critics", "workers", "experts", "doctors",
                  "nurses", "teachers", "prosecutors", "investigators", "protesters", "campaigners", "economists",
                  "scientists", "researchers", "locals", "witnesses", "parents", "students", "observers",
                  "diplomats", "sources", "lawmakers", "opponents", "supporters", "shareholders", "employees",
                  "passengers", "voters", "farmers", "activists", "negotiators", "ministers", "authorities",
                  "families", "victims", "survivors", "insiders", "aides", "rescuers", "medics", "traders",
                  "shoppers", "customers", "consumers", "users", "patients", "fans", "readers", "viewers",
                  "visitors", "tourists", "commuters", "drivers", "buyers", "investors", "borrowers",
                  "homeowners", "tenants", "landlords", "protesters", "demonstrators", "police", "firefighters"}
# What a source publishes, standing for the source: "according to figures from the ministry".
# People who speak for a client named after "for": "Lawyers for the Home Office argued …".
REPRESENTATIVE_NOUNS = {"lawyer", "lawyers", "counsel", "barrister", "barristers", "solicitor", "solicitors",
                        "attorney", "attorneys", "representative", "representatives"}
SOURCE_NOUNS = {"figures", "data", "statistics", "estimates", "estimate", "report", "survey", "poll", "study",
                "analysis", "records", "documents", "filings", "projections", "forecast", "forecasts"}
# Where an organisation that "the company" may later refer to stands: as an actor, not in a list of places.
ORGANISATION_ROLES = {"nsubj", "nsubjpass", "dobj", "poss", "appos", "compound"}
# Entity labels that never name an actor, that name one whole, and that name an organisation.
NOT_ACTOR_ENTITIES = {"DATE", "TIME", "MONEY", "PERCENT", "CARDINAL", "ORDINAL", "QUANTITY", "LANGUAGE"}
NAME_ENTITIES = {"PERSON", "ORG", "GPE", "NORP", "FAC"}
ORG_ENTITIES = {"ORG", "GPE", "NORP", "FAC"}
# "the company" refers back to a firm, never to a ministry or a court.
COMPANY_NOUNS = {"company", "firm", "group", "club", "operator", "manufacturer", "carrier", "insurer", "airline",
                 "retailer", "lender", "developer", "miner", "producer", "supplier", "chain", "broadcaster",
                 "publisher", "platform", "startup", "drugmaker", "carmaker", "automaker", "utility", "bank",
                 "contractor", "business", "brand", "maker"}
PUBLIC_BODY_WORDS = {"ministry", "court", "commission", "office", "council", "government", "parliament",
                     "department", "staff", "house", "agency", "authority", "tribunal", "assembly", "senate",
                     "congress", "committee", "police", "army", "navy", "forces", "bureau", "inspectorate"}
ORGANISATION_DESCRIPTORS = COMPANY_NOUNS | PUBLIC_BODY_WORDS | {
    "operator", "union", "association", "group", "party", "alliance", "charity", "campaign", "organisation",
    "organization", "agency", "regulator", "watchdog", "body", "institute", "foundation", "federation"}
# "the regulator" refers back to the latest public body ("the Information Commissioner's Office").
REGULATOR_NOUNS = {"regulator", "watchdog"}
# "the union" refers back to the latest workers' organisation, whatever its name calls it.
UNION_WORDS = {"union", "federation", "confederation", "guild", "association", "syndicate"}
NOT_COMPANY_WORDS = PUBLIC_BODY_WORDS | {"union", "association", "party", "alliance", "federation", "league",
                                         "coalition", "movement", "foundation", "institute", "university",
                                         "mission", "nations", "campaign", "council", "society", "trust"}
OPEN_QUOTES = {"“": "”", "„": "”", "«": "»"}
CLOSE_QUOTES = {"”", "»"}
STRAIGHT = '"'
TRAIL = " \t\n,;:–—-"
