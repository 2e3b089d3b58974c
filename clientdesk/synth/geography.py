"""States the synthetic book operates in: region, time zone, cities, ZIP prefixes, area codes.

Cities are real places with their real three-digit ZIP prefixes and area codes, so addresses
look plausible; street addresses and the last two ZIP digits are synthetic, and every phone
number uses the 555-01xx range reserved for fiction.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    """A city with its three-digit ZIP prefix and an area code."""

    name: str
    zip3: str
    area_code: str


@dataclass(frozen=True)
class State:
    """A US state: postal code, census region, IANA time zone, cities."""

    code: str
    name: str
    region: str
    timezone: str
    cities: tuple[City, ...]
    weight: float


def _c(name: str, zip3: str, area: str) -> City:
    return City(name, zip3, area)


STATES: tuple[State, ...] = (
    State(
        "OH",
        "Ohio",
        "Midwest",
        "America/New_York",
        (
            _c("Columbus", "432", "614"),
            _c("Cleveland", "441", "216"),
            _c("Cincinnati", "452", "513"),
            _c("Toledo", "436", "419"),
            _c("Akron", "443", "330"),
            _c("Dayton", "454", "937"),
        ),
        1.2,
    ),
    State(
        "PA",
        "Pennsylvania",
        "Northeast",
        "America/New_York",
        (
            _c("Philadelphia", "191", "215"),
            _c("Pittsburgh", "152", "412"),
            _c("Allentown", "181", "610"),
            _c("Harrisburg", "171", "717"),
            _c("Erie", "165", "814"),
        ),
        1.2,
    ),
    State(
        "NY",
        "New York",
        "Northeast",
        "America/New_York",
        (
            _c("Buffalo", "142", "716"),
            _c("Rochester", "146", "585"),
            _c("Albany", "122", "518"),
            _c("Syracuse", "132", "315"),
        ),
        1.0,
    ),
    State(
        "NJ",
        "New Jersey",
        "Northeast",
        "America/New_York",
        (
            _c("Newark", "071", "973"),
            _c("Trenton", "086", "609"),
            _c("Camden", "081", "856"),
            _c("Edison", "088", "732"),
        ),
        0.8,
    ),
    State(
        "MA",
        "Massachusetts",
        "Northeast",
        "America/New_York",
        (
            _c("Boston", "021", "617"),
            _c("Worcester", "016", "508"),
            _c("Springfield", "011", "413"),
        ),
        0.7,
    ),
    State(
        "MI",
        "Michigan",
        "Midwest",
        "America/New_York",
        (
            _c("Detroit", "482", "313"),
            _c("Grand Rapids", "495", "616"),
            _c("Lansing", "489", "517"),
            _c("Flint", "485", "810"),
        ),
        1.0,
    ),
    State(
        "IL",
        "Illinois",
        "Midwest",
        "America/Chicago",
        (
            _c("Chicago", "606", "312"),
            _c("Springfield", "627", "217"),
            _c("Peoria", "616", "309"),
            _c("Rockford", "611", "815"),
        ),
        1.1,
    ),
    State(
        "IN",
        "Indiana",
        "Midwest",
        "America/New_York",
        (
            _c("Indianapolis", "462", "317"),
            _c("Fort Wayne", "468", "260"),
            _c("South Bend", "466", "574"),
        ),
        0.7,
    ),
    State(
        "WI",
        "Wisconsin",
        "Midwest",
        "America/Chicago",
        (
            _c("Milwaukee", "532", "414"),
            _c("Madison", "537", "608"),
            _c("Green Bay", "543", "920"),
        ),
        0.6,
    ),
    State(
        "MN",
        "Minnesota",
        "Midwest",
        "America/Chicago",
        (
            _c("Minneapolis", "554", "612"),
            _c("Saint Paul", "551", "651"),
            _c("Duluth", "558", "218"),
        ),
        0.6,
    ),
    State(
        "MO",
        "Missouri",
        "Midwest",
        "America/Chicago",
        (
            _c("Saint Louis", "631", "314"),
            _c("Kansas City", "641", "816"),
            _c("Springfield", "658", "417"),
        ),
        0.6,
    ),
    State(
        "WV",
        "West Virginia",
        "South",
        "America/New_York",
        (
            _c("Charleston", "253", "304"),
            _c("Huntington", "257", "304"),
            _c("Wheeling", "260", "304"),
        ),
        0.4,
    ),
    State(
        "KY",
        "Kentucky",
        "South",
        "America/New_York",
        (
            _c("Louisville", "402", "502"),
            _c("Lexington", "405", "859"),
        ),
        0.5,
    ),
    State(
        "TX",
        "Texas",
        "South",
        "America/Chicago",
        (
            _c("Houston", "770", "713"),
            _c("Dallas", "752", "214"),
            _c("San Antonio", "782", "210"),
            _c("Austin", "787", "512"),
            _c("Fort Worth", "761", "817"),
        ),
        1.3,
    ),
    State(
        "GA",
        "Georgia",
        "South",
        "America/New_York",
        (
            _c("Atlanta", "303", "404"),
            _c("Savannah", "314", "912"),
            _c("Augusta", "309", "706"),
            _c("Macon", "312", "478"),
        ),
        0.8,
    ),
    State(
        "FL",
        "Florida",
        "South",
        "America/New_York",
        (
            _c("Tampa", "336", "813"),
            _c("Orlando", "328", "407"),
            _c("Jacksonville", "322", "904"),
            _c("Miami", "331", "305"),
        ),
        0.9,
    ),
    State(
        "NC",
        "North Carolina",
        "South",
        "America/New_York",
        (
            _c("Charlotte", "282", "704"),
            _c("Raleigh", "276", "919"),
            _c("Greensboro", "274", "336"),
            _c("Asheville", "288", "828"),
        ),
        0.8,
    ),
    State(
        "TN",
        "Tennessee",
        "South",
        "America/Chicago",
        (
            _c("Nashville", "372", "615"),
            _c("Memphis", "381", "901"),
            _c("Clarksville", "370", "931"),
        ),
        0.6,
    ),
    State(
        "CO",
        "Colorado",
        "West",
        "America/Denver",
        (
            _c("Denver", "802", "303"),
            _c("Colorado Springs", "809", "719"),
            _c("Fort Collins", "805", "970"),
        ),
        0.6,
    ),
    State(
        "AZ",
        "Arizona",
        "West",
        "America/Phoenix",
        (
            _c("Phoenix", "850", "602"),
            _c("Tucson", "857", "520"),
            _c("Mesa", "852", "480"),
        ),
        0.6,
    ),
    State(
        "WA",
        "Washington",
        "West",
        "America/Los_Angeles",
        (
            _c("Seattle", "981", "206"),
            _c("Spokane", "992", "509"),
            _c("Tacoma", "984", "253"),
        ),
        0.7,
    ),
    State(
        "OR",
        "Oregon",
        "West",
        "America/Los_Angeles",
        (
            _c("Portland", "972", "503"),
            _c("Eugene", "974", "541"),
            _c("Salem", "973", "503"),
        ),
        0.4,
    ),
    State(
        "CA",
        "California",
        "West",
        "America/Los_Angeles",
        (
            _c("Sacramento", "958", "916"),
            _c("Fresno", "937", "559"),
            _c("San Diego", "921", "619"),
            _c("Oakland", "946", "510"),
            _c("Los Angeles", "900", "213"),
        ),
        1.2,
    ),
)

STATE_INDEX: dict[str, int] = {s.code: i for i, s in enumerate(STATES)}


def fictional_phone(area_code: str, line: int) -> str:
    """A phone number in the 555-0100..0199 block reserved for fictional use."""
    return f"({area_code}) 555-01{line % 100:02d}"
