#!/usr/bin/env python3
"""Deterministic generator of synthetic Newsmark workspaces for benchmarking.

    python3 bench/gen_corpus.py --size small|medium|large --seed 1 --out DIR \
        [--error-rate 0.02] [--hot-refs N]

Writes a complete workspace under DIR:

* ``newsmark.toml``;
* ``registry/{people,orgs,places,other}-NNNN.nmk``: entity definitions
  (person, org, place, event, group, work, product) with display names,
  ``aka`` aliases, roles, wikidata ids, urls, ``part-of``;
* ``articles/YYYY/MM/*.nmk``: news articles of about 3 KB each, with front
  matter, headings, paragraphs, about 30 entity and source tags (nested tags,
  tags with several references, curly and straight quotations), untagged
  mentions of entity names, occasional escapes, and the article's source
  definitions at the bottom;
* ``articles/huge/one-megabyte.nmk``: one article of about 1 MB;
* ``bench-manifest.json``: what was generated (counts, paths of a typical
  article and of the huge one, the hot entity, injected errors per code).

Sizes: small = 1,000 articles / 10,000 entities, medium = 10,000 / 100,000,
large = 100,000 / 1,000,000.

Names are a pure function of an entity's index (a bijection onto combinations
of first/last names, organisation patterns and place-name syllables), so they
are unique without keeping a million names in memory, and the generator
streams every file straight to disk.

One entity, ``@bench-hot-entity``, is referenced exactly ``--hot-refs`` times
across the articles (default 10,000 for medium and large, 1,000 for small), so
a rename of it has a known size. Injected errors never touch those references.

``--error-rate`` is the probability that any one tag, definition or front
matter gets one injected error; the kind is drawn uniformly from the kinds that
fit the place. The manifest counts what was injected per diagnostic code
(``undefined-reference`` counts both made-up and typo'd ids).

Output is byte-for-byte reproducible for a given size, seed, error rate and
hot-reference count. Standard library only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from collections import Counter

SIZES = {
    "small": (1_000, 10_000),
    "medium": (10_000, 100_000),
    "large": (100_000, 1_000_000),
}
DEFS_PER_REGISTRY_FILE = 5_000
HOT_ID = "bench-hot-entity"
HOT_NAME = "Benchmark Holdings"
HOT_AKAS = ("Benchmark", "Benchmark Holdings Group")
HUGE_PATH = "articles/huge/one-megabyte.nmk"
HUGE_BYTES = 1_000_000

# --------------------------------------------------------------------------
# Word pools
# --------------------------------------------------------------------------

FIRST_M = """James John Robert Michael William David Richard Joseph Thomas Charles
Daniel Matthew Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian
George Timothy Ronald Edward Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan
Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander Patrick Frank
Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Douglas Zachary Peter
Kyle Ethan Walter Noah Jeremy Christian Keith Roger Terry Austin Sean Gerald Carl
Harold Dylan Arthur Lawrence Jordan Jesse Bryan Billy Bruce Gabriel Joe Logan
Alan Juan Albert Willie Elijah Wayne Randy Vincent Mason Roy Ralph Bobby Russell
Bradley Philip Eugene Ahmed Omar Hiroshi Kenji Wei Jun Rahul Arjun Ivan Dmitri
Lars Pierre Luca Mateo Diego Kwame Tariq Emeka Yusuf Sergei Jan Pavel""".split()
FIRST_F = """Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah
Karen Lisa Nancy Betty Margaret Sandra Ashley Kimberly Emily Donna Michelle Carol
Amanda Dorothy Melissa Deborah Stephanie Rebecca Sharon Laura Cynthia Kathleen Amy
Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine Christine
Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce
Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl
Hannah Jacqueline Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice
Jean Abigail Alice Judy Sophia Grace Denise Amber Doris Marilyn Danielle Beverly
Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla Alexis Lori Fatima
Aisha Mei Yuki Priya Ananya Olga Ingrid Sofia Chiara Lucia Amara Leila Nadia
Elena Ines Zainab Chioma Keiko Hana Astrid Freya""".split()
LAST = """Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez
Hernandez Lopez Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee
Perez Thompson White Harris Sanchez Clark Ramirez Lewis Robinson Walker Young Allen
King Wright Scott Torres Nguyen Hill Flores Green Adams Nelson Baker Hall Rivera
Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker Cruz
Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz
Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez
Castillo Sanders Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell
Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher Vasquez Simmons
Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno
West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford
Castro Marshall Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells
Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter
Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Munoz Hunt Hicks Holmes Palmer
Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt
Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn
Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley
Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado
Ray Delgado Berry Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis
Carpenter Lawrence Sandoval Okafor Mensah Haddad Nakamura Tanaka Suzuki Wang Zhang
Liu Yang Huang Zhao Wu Zhou Singh Kumar Sharma Gupta Ivanov Petrov Kowalski Novak
Muller Schneider Fischer Weber Rossi Russo Ferrari Bianchi Dubois Moreau Laurent
Lefebvre Jensen Nielsen Larsen Andersson Johansson Virtanen Kaya Yilmaz Demir
Haddad Khalil Rahman Hossain Abubakar Adeyemi Mwangi Otieno Banda Dlamini""".split()
LAST = list(dict.fromkeys(LAST))

PLACE_PRE = """Ash Bel Bram Cal Car Clay Dal Dun East Elm Fair Fal Glen Gran Green
Hal Har Hol Kings Lang Lin Mar Mill Mont New Nor Oak Pem Port Ral Red Ridge Rock
Ros Sal Sand Sher South Stan Stone Sum Tam Thorn Val War Wes Whit Wil Win Wood
Bran Cor Dor Fen Hart Kel Lor Mor Pen Tor""".split()
PLACE_MID = ["", "er", "ing", "en", "ley", "ton", "as", "ow", "mere", "ick"]
PLACE_SUF = """ford field ton ville burg port wick dale brook haven mouth bridge
well stead ham wood mont view land crest gate hurst shire chester bury minster
by thorpe holm stow worth cliff moor side fell more ridge bay hill vale""".split()
PLACE_QUAL = [("", ""), ("New ", ""), ("North ", ""), ("South ", ""),
              ("East ", ""), ("West ", ""), ("Port ", ""), ("Lake ", ""),
              ("Fort ", ""), ("", " Heights"), ("", " Springs"), ("", " Valley"),
              ("", " City"), ("", " Falls"), ("Mount ", "")]
PLACE_ROLES = ["city", "town", "province", "district", "county", "region",
               "port city", "capital", "state", "village"]

ORG_SUFFIX = """Industries Holdings Group Partners Capital Labs Systems Energy
Logistics Media Foods Pharmaceuticals Motors Airlines Bank Insurance Ventures
Technologies Consulting Mining""".split()
ORG_ADJ = """National Federal Central United International Regional Royal Global
Independent Democratic Popular Progressive Civic Public Northern Southern Eastern
Western Allied Continental Atlantic Pacific Coastal Metropolitan Rural Urban
Consolidated General Standard Modern""".split()
ORG_FIELD = """Energy Health Education Transport Water Trade Labour Farming
Finance Housing Justice Defence Science Culture Sports Fisheries Mining Railway
Aviation Shipping Telecom Tourism Forestry Veterans Pension Environment Weather
Nuclear Space Cyber Police Customs Border Election Tax Lottery Film Music Press""".split()
ORG_INST = """Council Commission Agency Authority Institute Foundation Association
Union Federation Board Ministry Office Bureau Society Alliance Corporation Trust
Service League Party""".split()
OUTLET_KIND = ["Herald", "Tribune", "Gazette", "Courier", "Post", "Times",
               "Chronicle", "Observer", "Ledger", "Daily", "Sentinel", "Examiner"]

EVENT_WORD = ["Summit", "Conference", "Games", "Festival", "Accord Talks",
              "Floods", "Strike", "Election", "Marathon", "Trade Fair"]
GROUP_WORD = ["Residents' Association", "Fishermen's Cooperative",
              "Teachers' Union", "Youth Movement", "Farmers' Alliance",
              "Nurses' Collective", "Veterans' Group", "Tenants' Network"]
WORK_ADJ = ["Silent", "Last", "Golden", "Broken", "Hidden", "Long", "Quiet",
            "Red", "Distant", "Open", "Northern", "Final"]
WORK_NOUN = ["Harbour", "Bridge", "Archive", "Garden", "Frontier", "Ledger",
             "Winter", "Crossing", "Season", "Letters", "Republic", "Tide"]
PRODUCT_BRAND = ["Nova", "Vega", "Orion", "Atlas", "Zephyr", "Helix", "Quanta",
                 "Lumen", "Strata", "Pulse", "Aurora", "Titan"]
PRODUCT_LINE = ["Phone", "Drive", "Tab", "Book", "Watch", "Cam", "Sense",
                "Link", "Cloud", "Pad"]

PERSON_ROLES = [
    "Minister of Finance", "Minister of Transport", "Mayor", "Governor",
    "Chief Executive", "Spokesperson", "Senator", "Member of Parliament",
    "Police Commissioner", "Professor of Economics", "Union leader",
    "Opposition leader", "Chief Justice", "Head coach", "Trade envoy",
    "Central bank governor", "Health Secretary", "Defence Minister",
    "Foreign Minister", "Climate scientist", "Party chair", "Ambassador",
    "Chief of Staff", "City council member", "Prosecutor", "Novelist",
]
TOPICS = ["budget", "trade agreement", "pension reform", "water shortage",
          "rail strike", "housing plan", "election", "tax bill", "flood defences",
          "merger", "data breach", "vaccination drive", "port expansion",
          "fishing quota", "border dispute", "energy prices", "school funding",
          "ceasefire", "corruption inquiry", "wildfire season"]
VERBS = ["approve", "reject", "delay", "review", "revise", "fund", "block",
         "expand", "suspend", "debate", "scrap", "endorse"]
DAYS = ["on Monday", "on Tuesday", "on Wednesday", "on Thursday", "on Friday",
        "over the weekend", "late on Sunday", "earlier this week", "last month",
        "in a statement", "at a news conference", "in an interview"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July",
          "August", "September", "October", "November", "December"]
QUOTES = [
    "We will not accept any deal that leaves working families behind",
    "This is a decision about the future of our city and the people who live here",
    "Nobody should be surprised because the numbers have been clear for years and we warned them",
    "The government has failed to listen and now everyone is paying the price",
    "Our priority remains the safety of residents and we are working around the clock",
    "There is no plan, there is only a press release and a promise we have heard before",
    "I have spoken to the families and they deserve answers, not excuses",
    "The agreement is fair, balanced and good for both sides, and we expect it to hold",
    "Frankly the markets reacted exactly as we predicted and there is no cause for panic",
    "We are reviewing every option and nothing has been ruled out at this stage",
    "It was a difficult week but I am proud of how the team responded under pressure",
    "The evidence simply does not support the claims made by the opposition",
    "We have been asking for a proper hearing for three years and we are still waiting",
    "If the money is not there by the spring, the whole project will stall",
    "I don't think anyone in this building expected the vote to go the way it did",
    "We're confident the courts will see this for what it is, a political stunt",
]
CHANTS = ["Not for sale", "Save our port", "No more cuts", "Hands off our pensions",
          "Vote them out", "Fair pay now"]
FILLER = [
    "The announcement came after weeks of speculation.",
    "Officials did not give a timetable.",
    "Critics said the move was long overdue.",
    "The figures have not been independently verified.",
    "Negotiations are expected to resume next week.",
    "Shares fell sharply in early trading.",
    "The proposal still needs the approval of the full assembly.",
    "Several hundred people gathered outside the building.",
    "Turnout was lower than in the previous vote.",
    "It was not immediately clear how the plan would be funded.",
    "Analysts expect the debate to continue well into next year.",
    "Emergency services were called shortly before midnight.",
    "A spokesperson declined to comment further.",
    "The committee will publish its findings in the spring.",
]
HEADINGS = ["What happens next", "Background", "Reaction", "The numbers",
            "A long dispute", "Why it matters", "Local impact", "The vote",
            "Market reaction", "Timeline", "On the ground", "The opposition"]
ESCAPE_SENTENCES = [
    "The filing, marked \\[redacted\\] in several places, was released late.",
    "Readers can send tips to newsdesk\\@example.org or by post.",
    "A placard read \\{no more cuts\\} in hand-painted letters.",
    "The path on the court papers was listed as C:\\\\records\\\\2019.",
]
SOURCE_KINDS_PERSON = ["remarks", "interview", "statement", "post"]
SOURCE_KINDS_ORG = ["statement", "document", "data", "post"]
BAD_KINDS = {"person": "persn", "org": "organisation", "place": "location",
             "event": "evnt", "group": "grp", "work": "wrk", "product": "prodct",
             "remarks": "remark", "interview": "intervew", "statement": "statment",
             "post": "tweet", "document": "doc", "data": "dataset",
             "anonymous": "anon", "observation": "observed"}
BAD_DATES = ["2015-02-30", "2019-13-01", "2021-11-31", "20150-01-01",
             "2018-00-10", "2016-06-31", "yesterday"]
UNKNOWN_KEYS_ENTITY = ["rol", "alias", "title", "born", "website"]
KIND_OFFSET = {"person": 0, "org": 11_000_000, "place": 23_000_000,
               "event": 37_000_000, "group": 41_000_000, "work": 53_000_000,
               "product": 67_000_000}
UNKNOWN_KEYS_SOURCE = ["author", "speaker", "when", "link", "channel"]


def _coprime_multiplier(n: int, start: int = 7919) -> int:
    """A multiplier coprime with n, for a cheap permutation of range(n)."""
    if n <= 1:
        return 1
    a = start % n or 1
    while math.gcd(a, n) != 1:
        a += 1
    return a


def slug(s: str) -> str:
    out = []
    prev_dash = True
    for ch in s.lower():
        if ch.isalnum():
            out.append(ch)
            prev_dash = False
        elif not prev_dash:
            out.append("-")
            prev_dash = True
    return "".join(out).strip("-")


# --------------------------------------------------------------------------
# Entities: a pure function of (kind, index)
# --------------------------------------------------------------------------

class Entity(tuple):
    """(kind, id, name, akas, j) -- a plain tuple for speed."""
    __slots__ = ()
    kind = property(lambda s: s[0])
    id = property(lambda s: s[1])
    name = property(lambda s: s[2])
    akas = property(lambda s: s[3])
    j = property(lambda s: s[4])


class Universe:
    """Maps (kind, index) to an entity's names, deterministically.

    Counts per kind are fixed fractions of the total. Within a kind, index j
    is sent through a multiplicative permutation of the kind's name space and
    the result is decoded as a mixed-radix combination of word pools, so
    names are unique and look shuffled.
    """

    N_OUTLETS = 40

    def __init__(self, n_entities: int):
        n = n_entities - 1  # one slot for the hot entity
        self.counts = {
            "person": int(n * 0.60),
            "org": int(n * 0.20),
            "place": int(n * 0.15),
        }
        rest = n - sum(self.counts.values())
        self.counts["event"] = rest // 4
        self.counts["group"] = rest // 4
        self.counts["work"] = rest // 4
        self.counts["product"] = rest - 3 * (rest // 4)
        self.nF, self.nL = len(FIRST_M) + len(FIRST_F), len(LAST)
        self.first = FIRST_M + FIRST_F
        self.p_space0 = self.nF * self.nL
        self.p_mul0 = _coprime_multiplier(self.p_space0)
        self.p_space1 = self.p_space0 * 26
        self.p_mul1 = _coprime_multiplier(self.p_space1, 104729)
        self.place_roots = len(PLACE_PRE) * len(PLACE_MID) * len(PLACE_SUF)
        self.pl_space = self.place_roots * len(PLACE_QUAL)
        self.pl_mul = _coprime_multiplier(self.pl_space, 15485863)
        self.o_space_a = len(LAST) * len(ORG_SUFFIX)
        self.o_space_b = len(ORG_ADJ) * len(ORG_FIELD) * len(ORG_INST)
        self.o_space_c = self.place_roots * len(ORG_FIELD) * len(ORG_INST)
        self.o_mul = _coprime_multiplier(self.o_space_a + self.o_space_b + self.o_space_c, 2750159)
        self._cache: dict = {}

    # -- names -----------------------------------------------------------
    def _place_root(self, k: int) -> str:
        a = k % len(PLACE_PRE)
        k //= len(PLACE_PRE)
        b = k % len(PLACE_MID)
        c = (k // len(PLACE_MID)) % len(PLACE_SUF)
        return PLACE_PRE[a] + PLACE_MID[b] + PLACE_SUF[c]

    def person(self, j: int) -> Entity:
        if j < self.p_space0:
            k = (j * self.p_mul0) % self.p_space0
            f, l, mid = k % self.nF, k // self.nF, None
            extra = ""
        else:
            j2 = j - self.p_space0
            rnd, j2 = divmod(j2, self.p_space1)
            k = (j2 * self.p_mul1) % self.p_space1
            f, l, mid = k % self.nF, (k // self.nF) % self.nL, k // self.p_space0
            extra = "" if rnd == 0 else " " + ("II", "III", "IV", "V", "VI", "VII")[min(rnd - 1, 5)] if rnd <= 6 else f" {rnd}"
        first, last = self.first[f], LAST[l]
        name = f"{first} {chr(65 + mid)}. {last}{extra}" if mid is not None else f"{first} {last}"
        honor = "Mr." if f < len(FIRST_M) else "Ms."
        return Entity(("person", slug(name), name, (f"{honor} {last}", last), j))

    def org(self, j: int) -> Entity:
        if j < self.N_OUTLETS:
            name = f"The {self._place_root(j * 37 + 11)} {OUTLET_KIND[j % len(OUTLET_KIND)]}"
            return Entity(("org", slug(name), name, (name[4:],), j))
        j -= self.N_OUTLETS
        total = self.o_space_a + self.o_space_b + self.o_space_c
        rnd, j = divmod(j, total)
        k = (j * self.o_mul) % total
        if k < self.o_space_a:
            name = f"{LAST[k % len(LAST)]} {ORG_SUFFIX[k // len(LAST)]}"
        elif k < self.o_space_a + self.o_space_b:
            k -= self.o_space_a
            a = ORG_ADJ[k % len(ORG_ADJ)]
            k //= len(ORG_ADJ)
            name = f"{a} {ORG_FIELD[k % len(ORG_FIELD)]} {ORG_INST[k // len(ORG_FIELD)]}"
        else:
            k -= self.o_space_a + self.o_space_b
            r = self._place_root(k % self.place_roots)
            k //= self.place_roots
            name = f"{r} {ORG_FIELD[k % len(ORG_FIELD)]} {ORG_INST[k // len(ORG_FIELD)]}"
        if rnd:
            name += f" No. {rnd + 1}"
        words = name.split()
        acro = "".join(w[0] for w in words if w[0].isupper())
        akas = (acro,) if len(acro) >= 3 else (words[0],)
        return Entity(("org", slug(name), name, akas, j))

    def place(self, j: int) -> Entity:
        rnd, j = divmod(j, self.pl_space)
        k = (j * self.pl_mul) % self.pl_space
        root = self._place_root(k % self.place_roots)
        pre, suf = PLACE_QUAL[k // self.place_roots]
        name = f"{pre}{root}{suf}" + (f" {rnd + 1}" if rnd else "")
        return Entity(("place", slug(name), name, (), j))

    def other(self, kind: str, j: int) -> Entity:
        if kind == "event":
            year = 1990 + j % 35
            k = j // 35
            name = f"{year} {self._place_root((k * 7919) % self.place_roots)} {EVENT_WORD[(k // self.place_roots) % len(EVENT_WORD)]}"
            r = k // (self.place_roots * len(EVENT_WORD))
        elif kind == "group":
            name = f"{self._place_root(j % self.place_roots)} {GROUP_WORD[(j // self.place_roots) % len(GROUP_WORD)]}"
            r = j // (self.place_roots * len(GROUP_WORD))
        elif kind == "work":
            a, k = j % len(WORK_ADJ), j // len(WORK_ADJ)
            n_, k = k % len(WORK_NOUN), k // len(WORK_NOUN)
            name = f"The {WORK_ADJ[a]} {WORK_NOUN[n_]}"
            r = k
        else:
            b, k = j % len(PRODUCT_BRAND), j // len(PRODUCT_BRAND)
            l_, k = k % len(PRODUCT_LINE), k // len(PRODUCT_LINE)
            name = f"{PRODUCT_BRAND[b]}{PRODUCT_LINE[l_]} {k + 1}"
            r = 0
        if r:
            name += f" ({r + 1})" if kind != "work" else f", Part {r + 1}"
        return Entity((kind, slug(name), name, (), j))

    def get(self, kind: str, j: int) -> Entity:
        key = (kind, j)
        e = self._cache.get(key)
        if e is None:
            if kind == "person":
                e = self.person(j)
            elif kind == "org":
                e = self.org(j)
            elif kind == "place":
                e = self.place(j)
            else:
                e = self.other(kind, j)
            if len(self._cache) > 200_000:
                self._cache.clear()
            self._cache[key] = e
        return e


# --------------------------------------------------------------------------
# Writers
# --------------------------------------------------------------------------

class Gen:
    def __init__(self, size: str, seed: int, out: str, error_rate: float,
                 hot_refs: int | None):
        self.size = size
        self.seed = seed
        self.out = out
        self.error_rate = error_rate
        self.n_articles, self.n_entities = SIZES[size]
        self.hot_refs = hot_refs if hot_refs is not None else (
            10_000 if size != "small" else 1_000)
        self.u = Universe(self.n_entities)
        self.errors: Counter = Counter()
        self.bytes = 0
        self.files = 0
        self.typical_article = None
        self.hot_article = None

    # ---- helpers -------------------------------------------------------
    def _write(self, rel: str, text: str) -> None:
        path = os.path.join(self.out, rel)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        self.bytes += len(text.encode("utf-8"))
        self.files += 1

    # ---- config --------------------------------------------------------
    def write_config(self) -> None:
        self._write("newsmark.toml", (
            "# Generated benchmark workspace.\n"
            "[lint]\n"
            "quote-min-words = 8\n"
            "required-front-matter = [\"title\", \"published\"]\n"
        ))
        self._write(".gitignore", "drafts/\n")

    # ---- registry ------------------------------------------------------
    def _entity_block(self, e: Entity, rng: random.Random) -> str:
        kind, eid, name, akas, j = e
        err = None
        if rng.random() < self.error_rate:
            err = rng.choice(("unknown-kind", "unknown-key", "invalid-value",
                              "missing-name", "duplicate-key", "duplicate-definition"))
            if err == "duplicate-definition" and e[4] == 0:
                err = "unknown-key"
            self.errors[err] += 1
        if err == "duplicate-definition" and j > 0:
            # Define the previous entity of this kind a second time.
            e = self.u.get(kind, j - 1)
            kind, eid, name, akas, j = e
        k = BAD_KINDS[kind] if err == "unknown-kind" else kind
        head = f"@{eid}: {k}" if err == "missing-name" else f"@{eid}: {k} \"{name}\""
        lines = [head]
        if akas:
            lines.append("  aka: " + "; ".join(akas))
        if kind == "person":
            role = PERSON_ROLES[j % len(PERSON_ROLES)]
            lines.append(f"  role: {role}")
            if err == "duplicate-key":
                lines.append(f"  role: {PERSON_ROLES[(j + 1) % len(PERSON_ROLES)]}")
        elif kind == "place":
            lines.append(f"  note: A {PLACE_ROLES[j % len(PLACE_ROLES)]}.")
            if j >= 10 and j % 3 == 0:
                lines.append(f"  part-of: @{self.u.get('place', j % 10)[1]}")
        elif kind == "org" and j % 5 == 0:
            lines.append(f"  url: https://www.{eid}.example.org/")
        if err == "duplicate-key" and kind != "person":
            lines.append("  note: Added twice.")
            lines.append("  note: Added twice again.")
        if j % 4 == 0:
            if err == "invalid-value":
                lines.append(f"  wikidata: Q0{j % 9973}")
            else:
                lines.append(f"  wikidata: Q{(j * 7919 + KIND_OFFSET[kind]) % 90_000_000 + 1}")
        elif err == "invalid-value":
            lines.append("  url: htp//broken link")
        if err == "unknown-key":
            lines.append(f"  {UNKNOWN_KEYS_ENTITY[j % len(UNKNOWN_KEYS_ENTITY)]}: see archive")
        return "\n".join(lines) + "\n\n"

    def write_registry(self) -> None:
        rng = random.Random(f"{self.seed}-registry")
        os.makedirs(os.path.join(self.out, "registry"), exist_ok=True)
        groups = [("people", ["person"]), ("orgs", ["org"]), ("places", ["place"]),
                  ("other", ["event", "group", "work", "product"])]
        for prefix, kinds in groups:
            file_no = 0
            buf: list[str] = []
            n_in_file = 0
            if prefix == "orgs":
                buf.append(f"<!-- Organisations. -->\n\n@{HOT_ID}: org \"{HOT_NAME}\"\n"
                           f"  aka: {'; '.join(HOT_AKAS)}\n"
                           f"  note: Referenced exactly {self.hot_refs} times across the articles.\n\n")
                n_in_file = 1
            for kind in kinds:
                for j in range(self.u.counts[kind]):
                    buf.append(self._entity_block(self.u.get(kind, j), rng))
                    n_in_file += 1
                    if n_in_file >= DEFS_PER_REGISTRY_FILE:
                        file_no += 1
                        self._write(f"registry/{prefix}-{file_no:04d}.nmk", "".join(buf))
                        buf, n_in_file = [], 0
            if buf:
                file_no += 1
                self._write(f"registry/{prefix}-{file_no:04d}.nmk", "".join(buf))

    # ---- articles ------------------------------------------------------
    def write_articles(self) -> None:
        A = self.n_articles
        H = self.hot_refs
        t0 = time.time()
        made_dirs = set()
        typical_has_hot = False
        for i in range(A):
            rng = random.Random(self.seed * 1_000_003 + i)
            hot = (i + 1) * H // A - i * H // A
            art = ArticleWriter(self, rng, i, hot)
            rel, text = art.build()
            d = os.path.dirname(rel)
            if d not in made_dirs:
                os.makedirs(os.path.join(self.out, d), exist_ok=True)
                made_dirs.add(d)
            self._write(rel, text)
            if (self.typical_article is None or typical_has_hot) and 2800 <= len(text) <= 3600:
                if self.typical_article is None or hot == 0:
                    self.typical_article, typical_has_hot = rel, hot > 0
            if hot > 0 and rel != self.typical_article:
                self.hot_article = rel  # the last one: not the typical article
            if i and i % 10_000 == 0:
                print(f"  {i} articles, {time.time() - t0:.1f}s", file=sys.stderr)
        # The huge article.
        os.makedirs(os.path.join(self.out, "articles/huge"), exist_ok=True)
        rng = random.Random(self.seed * 1_000_003 + 999_999_937)
        art = ArticleWriter(self, rng, A, 0, target_bytes=HUGE_BYTES)
        _, text = art.build()
        self._write(HUGE_PATH, text)

    # ---- all -----------------------------------------------------------
    def run(self) -> dict:
        os.makedirs(self.out, exist_ok=True)
        t0 = time.time()
        self.write_config()
        self.write_registry()
        t1 = time.time()
        self.write_articles()
        t2 = time.time()
        manifest = {
            "generator": "bench/gen_corpus.py",
            "size": self.size,
            "seed": self.seed,
            "error_rate": self.error_rate,
            "articles": self.n_articles + 1,
            "entities": self.n_entities,
            "entities_by_kind": self.u.counts,
            "files": self.files + 1,
            "bytes": self.bytes,
            "hot_entity": HOT_ID,
            "hot_refs": self.hot_refs,
            "hot_article": self.hot_article,
            "typical_article": self.typical_article,
            "huge_article": HUGE_PATH,
            "injected_errors": dict(sorted(self.errors.items())),
        }
        with open(os.path.join(self.out, "bench-manifest.json"), "w") as f:
            json.dump(manifest, f, indent=2)
            f.write("\n")
        print(f"  registry {t1 - t0:.1f}s, articles {t2 - t1:.1f}s", file=sys.stderr)
        return manifest


class ArticleWriter:
    """Builds one article: front matter, prose with tags, source definitions."""

    def __init__(self, g: Gen, rng: random.Random, no: int, hot: int,
                 target_bytes: int = 0):
        self.g = g
        self.u = g.u
        self.rng = rng
        self.no = no
        self.hot_left = hot
        self.target = target_bytes
        self.err_rate = g.error_rate
        self.sources: list[str] = []
        self.src_bytes = 0
        self.src_no = 0
        year = 2010 + rng.randrange(15)
        month = 1 + rng.randrange(12)
        day = 1 + rng.randrange(28)
        self.date = (year, month, day)
        self.published = f"{year:04d}-{month:02d}-{day:02d}"
        r = rng.random
        u = self.u
        c = u.counts
        # Popularity skew: low indices are more often picked.
        self.cast_p = [u.get("person", int(c["person"] * r() ** 2.2)) for _ in range(6)]
        self.cast_o = [u.get("org", u.N_OUTLETS + int((c["org"] - u.N_OUTLETS) * r() ** 2.2)) for _ in range(3)]
        self.cast_l = [u.get("place", int(c["place"] * r() ** 2.2)) for _ in range(3)]
        ok = rng.choice(("event", "group", "work", "product"))
        self.cast_x = [u.get(ok, int(c[ok] * r()))] if c[ok] else []
        self.topic = rng.choice(TOPICS)

    # -- small pieces --------------------------------------------------------
    def err(self) -> bool:
        return self.err_rate > 0 and self.rng.random() < self.err_rate

    def ref(self, eid: str) -> str:
        """A reference to an entity, possibly broken by an injected error."""
        if self.err():
            kind = self.rng.choice(("undefined", "typo", "syntax"))
            if kind == "undefined":
                self.g.errors["undefined-reference"] += 1
                return f"@{eid}-x{self.rng.randrange(10_000)}"
            if kind == "typo":
                self.g.errors["undefined-reference"] += 1
                # Swap two neighbouring characters, or drop one.
                k = self.rng.randrange(1, len(eid) - 1)
                if eid[k] != eid[k + 1] and eid[k + 1] != "-":
                    return "@" + eid[:k] + eid[k + 1] + eid[k] + eid[k + 2:]
                return "@" + eid[:k] + eid[k + 1:]
            self.g.errors["syntax"] += 1
            return eid  # no sigil: a failed tag
        return "@" + eid

    def mention(self, e: Entity) -> str:
        kind, eid, name, akas, j = e
        r = self.rng.random()
        if akas and r < 0.45:
            surface = akas[0] if r < 0.3 or len(akas) == 1 else akas[1]
        else:
            surface = name
        return f"[{surface}]{{{self.ref(eid)}}}"

    def hot(self) -> str:
        self.hot_left -= 1
        surface = HOT_NAME if self.rng.random() < 0.6 else HOT_AKAS[0]
        return f"[{surface}]{{@{HOT_ID}}}"

    def quote_text(self, words: int = 0) -> str:
        """A quotation of at least 8 words (a whole sentence from the pool)."""
        return self.rng.choice(QUOTES)

    def new_source(self, speaker: Entity | None) -> str:
        """Defines a source for this article and returns its id."""
        r = self.rng
        self.src_no += 1
        y, m, d = self.date
        if speaker is None:
            sid = f"{slug(self.topic)}-observers-{self.no}-{self.src_no}"
            kind = r.choice(("anonymous", "observation"))
            block = [f"^{sid}: {kind} \"People familiar with the {self.topic}\""]
            by = None
        else:
            skind, seid, sname = speaker[0], speaker[1], speaker[2]
            kind = r.choice(SOURCE_KINDS_PERSON if skind == "person" else SOURCE_KINDS_ORG)
            sid = f"{seid}-{kind}-{self.no}-{self.src_no}"
            title = {"remarks": f"Remarks by {sname} on the {self.topic}",
                     "interview": f"Interview with {sname}",
                     "statement": f"Statement by {sname}",
                     "post": f"Social media post by {sname}",
                     "document": f"{sname} report on the {self.topic}",
                     "data": f"{sname} figures on the {self.topic}"}[kind]
            block = [f"^{sid}: {kind} \"{title}\""]
            by = seid
        err = None
        if self.err():
            err = r.choice(("invalid-value", "unknown-kind", "unknown-key",
                            "missing-attribution", "source-after-publication",
                            "duplicate-definition"))
            if err == "missing-attribution" and (by is None or kind in ("data",)):
                err = "unknown-key"
            self.g.errors[err] += 1
        if err == "unknown-kind":
            h = block[0]
            block[0] = h.replace(f": {kind} ", f": {BAD_KINDS[kind]} ", 1)
        if by is not None and err != "missing-attribution":
            block.append(f"  by: @{by}")
        if err == "invalid-value":
            block.append(f"  date: {r.choice(BAD_DATES)}")
        elif err == "source-after-publication":
            block.append(f"  date: {y + 1 + r.randrange(3):04d}-{m:02d}")
        else:
            dd = max(1, d - r.randrange(4))
            block.append(f"  date: {y:04d}-{m:02d}-{dd:02d}" if r.random() < 0.8 else f"  date: {y:04d}-{m:02d}")
        if r.random() < 0.3:
            block.append(f"  url: https://example.org/{self.no}/{self.src_no}")
        if err == "unknown-key":
            block.append(f"  {r.choice(UNKNOWN_KEYS_SOURCE)}: unknown")
        text = "\n".join(block) + "\n"
        self.sources.append(text)
        self.src_bytes += len(text) + 1
        if err == "duplicate-definition":
            self.sources.append(text)
            self.src_bytes += len(text) + 1
        return sid

    # -- sentences -----------------------------------------------------------
    def sentence(self) -> str:
        r = self.rng
        x = r.random()
        P = r.choice(self.cast_p)
        O = r.choice(self.cast_o)
        L = r.choice(self.cast_l)
        if self.hot_left > 0 and r.random() < 0.5:
            hot = self.hot()
            return r.choice((
                f"{hot} said it was monitoring the {self.topic} closely.",
                f"Shares in {hot} rose after the {self.topic} was announced in {self.mention(L)}.",
                f"A deal with {hot} had been expected for months.",
            ))
        if x < 0.22:
            # Nested quotation tag attributed to a source.
            q = self.quote_text()
            src = self.new_source(P)
            if r.random() < 0.5:
                return f"[{self.mention(P)} said: “{q}.”]{{^{src}}}"
            if r.random() < 0.5:
                return f"[“{q},”]{{^{src}}} {self.mention(P)} said {r.choice(DAYS)}."
            return f"[\"{q},\" {self.mention(P)} told reporters in {self.mention(L)}.]{{^{src}}}"
        if x < 0.28:
            # Organisation statement.
            q = self.quote_text()
            src = self.new_source(O)
            return f"In a statement, {self.mention(O)} said [“{q[0].lower()}{q[1:]}”]{{^{src}}}."
        if x < 0.33:
            P2 = r.choice(self.cast_p)
            if P2 is P:
                return f"{self.mention(P)} met officials in {self.mention(L)} {r.choice(DAYS)}."
            src = self.new_source(None)
            return (f"[The two officials]{{@{P[1]} @{P2[1]}}} were said to have "
                    f"[clashed over the {self.topic} behind closed doors]{{^{src}}}, "
                    f"according to people briefed on the talks.")
        if x < 0.36:
            # Unattributed or weakly attributed quotation.
            q = self.quote_text()
            if self.err():
                self.g.errors["unattributed-quote"] += 1
                return f"One resident put it bluntly: “{q}.”"
            return f"Protesters outside chanted “{r.choice(CHANTS)}” for most of the afternoon."
        if x < 0.40:
            # Untagged mention of a known name.
            return f"{P[2]} was not available for comment, and {O[2]} did not respond."
        if x < 0.415:
            return r.choice(ESCAPE_SENTENCES)
        if x < 0.50:
            return r.choice(FILLER)
        if x < 0.62:
            return (f"{self.mention(P)}, {PERSON_ROLES[P[4] % len(PERSON_ROLES)].lower()}, said "
                    f"{r.choice(DAYS)} that {self.mention(O)} would {r.choice(VERBS)} the "
                    f"{self.topic} before {r.choice(MONTHS)}.")
        if x < 0.72:
            return (f"The {self.topic} has divided opinion in {self.mention(L)}, where "
                    f"{self.mention(O)} employs about {r.randrange(2, 90) * 100:,} people.")
        if x < 0.80 and self.cast_x:
            X = self.cast_x[0]
            return f"The dispute overshadowed {self.mention(X)}, {r.choice(DAYS)}, in {self.mention(L)}."
        if x < 0.90:
            return (f"{self.mention(P)} is expected to travel to {self.mention(L)} to meet "
                    f"representatives of {self.mention(O)} and [{P[3][0] if P[3] else P[2]}'s allies]{{@{P[1]}}}.")
        return (f"Figures from {self.mention(O)} showed the {self.topic} had cost "
                f"{r.randrange(2, 99)} million in {r.choice(MONTHS)} alone.")

    def paragraph(self) -> str:
        r = self.rng
        n = 2 + r.randrange(3)
        sents = [self.sentence() for _ in range(n)]
        # Some articles use one sentence per line (a paragraph spans lines).
        return ("\n" if self.one_per_line else " ").join(sents)

    def build(self) -> tuple[str, str]:
        r = self.rng
        g = self.g
        y, m, d = self.date
        P = self.cast_p[0]
        L = self.cast_l[0]
        title = r.choice((
            f"{P[2]} faces pressure over {self.topic} in {L[2]}",
            f"{L[2]} braces for {self.topic} showdown",
            f"{self.cast_o[0][2]} to {r.choice(VERBS)} {self.topic}, says {P[3][-1] if P[3] else P[2]}",
            f"What the {self.topic} means for {L[2]}",
        ))
        if self.target:
            title = f"The long read: inside the {self.topic} of {L[2]}, a year in documents"
        self.one_per_line = r.random() < 0.25
        outlet = self.u.get("org", r.randrange(min(Universe.N_OUTLETS, self.u.counts["org"])))
        byline = [self.u.get("person", r.randrange(min(500, self.u.counts["person"])))[1]
                  for _ in range(1 + (r.random() < 0.3))]
        pub = self.published
        fm_err = self.err()
        if fm_err:
            pub = f"{y:04d}-{m:02d}-{r.choice((30, 31, 32)) if m == 2 else 32:02d}"
            g.errors["invalid-value"] += 1
        out = ["---\n", f"title: {title}\n", f"published: {pub}\n", "lang: en\n",
               f"outlet: @{outlet[1]}\n", "byline: " + "; ".join("@" + b for b in byline) + "\n",
               "---\n\n"]
        if r.random() < 0.6:
            out.append(f"# {title}\n\n")
        size = sum(len(s) for s in out)
        # Total size (prose plus source definitions) of about 3 KB.
        target = self.target or 2400 + r.randrange(700)
        para_no = 0
        while size + self.src_bytes < target or self.hot_left > 0:
            if para_no and para_no % 4 == 0 and r.random() < 0.5:
                h = f"## {r.choice(HEADINGS)}\n\n"
                out.append(h)
                size += len(h)
            p = self.paragraph() + "\n\n"
            out.append(p)
            size += len(p)
            para_no += 1
            if para_no % 7 == 0 and r.random() < 0.3:
                c = "<!-- Editor: check the figures with the desk before publication. -->\n\n"
                out.append(c)
                size += len(c)
        out.extend(s + "\n" for s in self.sources)
        text = "".join(out)
        rel = f"articles/{y:04d}/{m:02d}/{y:04d}-{m:02d}-{d:02d}-{slug(title)[:48].strip('-')}-{self.no}.nmk"
        return rel, text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", choices=sorted(SIZES), required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--error-rate", type=float, default=0.02)
    ap.add_argument("--hot-refs", type=int, default=None,
                    help="references to @bench-hot-entity (default 10000; 1000 for small)")
    a = ap.parse_args(argv)
    if os.path.exists(os.path.join(a.out, "bench-manifest.json")):
        print(f"{a.out} already holds a corpus; remove it first", file=sys.stderr)
        return 2
    t0 = time.time()
    m = Gen(a.size, a.seed, a.out, a.error_rate, a.hot_refs).run()
    print(f"generated {a.size}: {m['files']} files, {m['bytes'] / 1e6:.1f} MB "
          f"in {time.time() - t0:.1f}s -> {a.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
