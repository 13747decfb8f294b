"""Regions and groupings a question may name a speaker by: "Which Pacific island state warned …?",
"Which Central Asian government …?", "a Nordic delegation".

A question that describes its speaker instead of naming it narrows the statements that can
answer to those of a region's states. The groups follow the UN's M49 regions and the
standing groupings (the small island developing States, the landlocked developing
countries, the Arab League, the GCC, CARICOM, SADC), widened where common usage is wider
than M49 ("southern African" is said of SADC members, "European" of the EU itself).
A group is a hint, not a filter: `fusion.boosts` adds a bonus to its members' passages.
"""

from __future__ import annotations

import re

_AFRICA_NORTH = "Algeria, Egypt, Libya, Morocco, Sudan, Tunisia, Mauritania"
_AFRICA_WEST = ("Benin, Burkina Faso, Cabo Verde, Côte d'Ivoire, Gambia, Ghana, Guinea, Guinea-Bissau, Liberia, "
                "Mali, Mauritania, Niger, Nigeria, Senegal, Sierra Leone, Togo")
_AFRICA_EAST = ("Burundi, Comoros, Djibouti, Eritrea, Ethiopia, Kenya, Madagascar, Malawi, Mauritius, Mozambique, "
                "Rwanda, Seychelles, Somalia, South Sudan, Sudan, United Republic of Tanzania, Uganda, Zambia, "
                "Zimbabwe")
_AFRICA_CENTRAL = ("Angola, Cameroon, Central African Republic, Chad, Congo, Democratic Republic of the Congo, "
                   "Equatorial Guinea, Gabon, Sao Tome and Principe, Burundi, Rwanda")
_AFRICA_SOUTH = ("Botswana, Eswatini, Lesotho, Namibia, South Africa, Angola, Malawi, Mozambique, Zambia, "
                 "Zimbabwe, Madagascar, Mauritius, Seychelles, Comoros, United Republic of Tanzania, "
                 "Democratic Republic of the Congo")
_HORN = "Djibouti, Eritrea, Ethiopia, Somalia, Sudan, South Sudan, Kenya"
_SAHEL = "Burkina Faso, Chad, Mali, Mauritania, Niger, Senegal, Nigeria, Sudan"
_ARAB = ("Algeria, Bahrain, Comoros, Djibouti, Egypt, Iraq, Jordan, Kuwait, Lebanon, Libya, Mauritania, Morocco, "
         "Oman, State of Palestine, Qatar, Saudi Arabia, Somalia, Sudan, Syria, Tunisia, United Arab Emirates, "
         "Yemen")
_GULF = "Bahrain, Kuwait, Oman, Qatar, Saudi Arabia, United Arab Emirates"
_MIDDLE_EAST = ("Bahrain, Cyprus, Egypt, Iran, Iraq, Israel, Jordan, Kuwait, Lebanon, Oman, State of Palestine, "
                "Qatar, Saudi Arabia, Syria, Türkiye, United Arab Emirates, Yemen")
_CENTRAL_ASIA = "Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan"
_SOUTH_ASIA = "Afghanistan, Bangladesh, Bhutan, India, Iran, Maldives, Nepal, Pakistan, Sri Lanka"
_SOUTH_EAST_ASIA = ("Brunei Darussalam, Cambodia, Indonesia, Laos, Malaysia, Myanmar, Philippines, Singapore, "
                    "Thailand, Timor-Leste, Vietnam")
_EAST_ASIA = "China, Japan, Mongolia, Democratic People's Republic of Korea, Republic of Korea"
_WEST_ASIA = _MIDDLE_EAST + ", Armenia, Azerbaijan, Georgia"
_NORDIC = "Denmark, Finland, Iceland, Norway, Sweden"
_BALTIC = "Estonia, Latvia, Lithuania"
_BALKAN = ("Albania, Bosnia and Herzegovina, Bulgaria, Croatia, Greece, Kosovo, Montenegro, North Macedonia, "
           "Romania, Serbia, Slovenia")
_EUROPE_EAST = "Belarus, Bulgaria, Czechia, Hungary, Moldova, Poland, Romania, Russian Federation, Slovakia, Ukraine"
_EUROPE_CENTRAL = "Austria, Czechia, Germany, Hungary, Liechtenstein, Poland, Slovakia, Slovenia, Switzerland"
_EUROPE_WEST = ("Andorra, Austria, Belgium, France, Germany, Ireland, Liechtenstein, Luxembourg, Monaco, "
                "Netherlands, Portugal, Spain, Switzerland, United Kingdom")
_EUROPE_SOUTH = ("Andorra, Cyprus, Greece, Holy See, Italy, Malta, Portugal, San Marino, Spain") + ", " + _BALKAN
_EUROPE = ", ".join([_NORDIC, _BALTIC, _BALKAN, _EUROPE_EAST, _EUROPE_CENTRAL, _EUROPE_WEST, _EUROPE_SOUTH,
                     "European Union"])
_CAUCASUS = "Armenia, Azerbaijan, Georgia"
_MEDITERRANEAN = ("Albania, Algeria, Bosnia and Herzegovina, Croatia, Cyprus, Egypt, France, Greece, Israel, "
                  "Italy, Lebanon, Libya, Malta, Monaco, Montenegro, Morocco, Slovenia, Spain, Syria, Tunisia, "
                  "Türkiye")
_CARIBBEAN = ("Antigua and Barbuda, Bahamas, Barbados, Belize, Cuba, Dominica, Dominican Republic, Grenada, "
              "Guyana, Haiti, Jamaica, Saint Kitts and Nevis, Saint Lucia, Saint Vincent and the Grenadines, "
              "Suriname, Trinidad and Tobago")
_CENTRAL_AMERICA = "Belize, Costa Rica, El Salvador, Guatemala, Honduras, Mexico, Nicaragua, Panama"
_SOUTH_AMERICA = ("Argentina, Bolivia, Brazil, Chile, Colombia, Ecuador, Guyana, Paraguay, Peru, Suriname, "
                  "Uruguay, Venezuela")
_LATIN_AMERICA = ("Argentina, Bolivia, Brazil, Chile, Colombia, Costa Rica, Cuba, Dominican Republic, Ecuador, "
                  "El Salvador, Guatemala, Haiti, Honduras, Mexico, Nicaragua, Panama, Paraguay, Peru, Uruguay, "
                  "Venezuela")
_NORTH_AMERICA = "Canada, Mexico, United States"
_PACIFIC_ISLANDS = ("Fiji, Kiribati, Marshall Islands, Micronesia (Federated States of), Nauru, Palau, "
                    "Papua New Guinea, Samoa, Solomon Islands, Tonga, Tuvalu, Vanuatu")
_OCEANIA = _PACIFIC_ISLANDS + ", Australia, New Zealand"
_SIDS = ("Antigua and Barbuda, Bahamas, Barbados, Belize, Cabo Verde, Comoros, Cuba, Dominica, Dominican Republic, "
         "Fiji, Grenada, Guinea-Bissau, Guyana, Haiti, Jamaica, Kiribati, Maldives, Marshall Islands, Mauritius, "
         "Micronesia (Federated States of), Nauru, Palau, Papua New Guinea, Samoa, Sao Tome and Principe, "
         "Seychelles, Singapore, Saint Kitts and Nevis, Saint Lucia, Saint Vincent and the Grenadines, "
         "Solomon Islands, Suriname, Timor-Leste, Tonga, Trinidad and Tobago, Tuvalu, Vanuatu")
_ISLANDS = _SIDS + (", Bahrain, Brunei Darussalam, Cyprus, Iceland, Indonesia, Ireland, Japan, Madagascar, Malta, "
                    "New Zealand, Philippines, Sri Lanka, United Kingdom")
_LANDLOCKED = ("Afghanistan, Andorra, Armenia, Austria, Azerbaijan, Belarus, Bhutan, Bolivia, Botswana, "
               "Burkina Faso, Burundi, Central African Republic, Chad, Czechia, Eswatini, Ethiopia, Holy See, "
               "Hungary, Kazakhstan, Kyrgyzstan, Laos, Lesotho, Liechtenstein, Luxembourg, Malawi, Mali, Moldova, "
               "Mongolia, Nepal, Niger, North Macedonia, Paraguay, Rwanda, San Marino, Serbia, Slovakia, "
               "South Sudan, Switzerland, Tajikistan, Turkmenistan, Uganda, Uzbekistan, Zambia, Zimbabwe")
_AFRICA = ", ".join([_AFRICA_NORTH, _AFRICA_WEST, _AFRICA_EAST, _AFRICA_CENTRAL, _AFRICA_SOUTH])
_ASIA = ", ".join([_CENTRAL_ASIA, _SOUTH_ASIA, _SOUTH_EAST_ASIA, _EAST_ASIA, _WEST_ASIA])

# the words a question uses (a regular expression, matched case-insensitively) -> the group
_GROUPS = [
    (r"north(?:ern)? african?|maghreb(?:i)?", _AFRICA_NORTH),
    (r"west(?:ern)? african?", _AFRICA_WEST),
    (r"east(?:ern)? african?", _AFRICA_EAST),
    (r"central african?", _AFRICA_CENTRAL),
    (r"southern african?", _AFRICA_SOUTH),
    (r"south african", "South Africa"),
    (r"horn of africa", _HORN),
    (r"sahel(?:ian)?", _SAHEL),
    (r"sub-saharan|african?", _AFRICA),
    (r"arab", _ARAB),
    (r"gulf|persian gulf", _GULF),
    (r"middle[- ]eastern|middle east", _MIDDLE_EAST),
    (r"central asian?", _CENTRAL_ASIA),
    (r"south asian?", _SOUTH_ASIA),
    (r"south[- ]?east(?:ern)? asian?|asean", _SOUTH_EAST_ASIA),
    (r"east(?:ern)? asian?|far eastern", _EAST_ASIA),
    (r"asian?|asia-pacific", _ASIA),
    (r"nordic|scandinavian", _NORDIC),
    (r"baltic", _BALTIC),
    (r"(?:western )?balkan", _BALKAN),
    (r"east(?:ern)? european|eastern europe", _EUROPE_EAST),
    (r"central european", _EUROPE_CENTRAL),
    (r"west(?:ern)? european", _EUROPE_WEST),
    (r"south(?:ern)? european", _EUROPE_SOUTH),
    (r"european", _EUROPE),
    (r"(?:south )?caucas(?:us|ian)", _CAUCASUS),
    (r"mediterranean", _MEDITERRANEAN),
    (r"caribbean", _CARIBBEAN),
    (r"central american", _CENTRAL_AMERICA),
    (r"south american", _SOUTH_AMERICA),
    (r"latin american|hispanic", _LATIN_AMERICA),
    (r"north american", _NORTH_AMERICA),
    (r"pacific(?: island| islands| ocean)?", _PACIFIC_ISLANDS),
    (r"oceanian?", _OCEANIA),
    (r"small island(?: developing)?", _SIDS),
    (r"island", _ISLANDS),
    (r"landlocked|land-locked", _LANDLOCKED),
]
_MEMBERS = [frozenset(m.strip().lower() for m in members.split(",")) for _, members in _GROUPS]
_ISLAND_MEMBERS = frozenset(m.strip().lower() for m in _ISLANDS.split(","))

# "Which Pacific island state warned …" / "Which leader of a Caribbean nation …": the region
# describes the speaker. "Which Asian governments did Norway thank" asks for the region's
# states as the answer (a form of "do" follows), so it names no speaker.
_SPEAKER = (r"leaders?|governments?|countr(?:y|ies)|states?|nations?|presidents?|prime ministers?|heads? of state|"
            r"monarchs?|monarch(?:y|ies)|kings?|delegations?|speakers?|ministers?|republics?|kingdoms?|archipelagos?|"
            r"democrac(?:y|ies)")
_DESCRIBED = re.compile(
    r"\b(?:which|what|an?|one)\s+(?:(?:small|smaller|tiny|large|developing|poor|oil-rich|low-lying|other|"
    r"eastern|western|northern|southern|central)\s+)*?"   # "an eastern Mediterranean island nation"
    r"(?P<region>" + "|".join(f"(?:{rx})" for rx, _ in _GROUPS) + r")(?P<kind>(?:\s+(?:island|small|developing))*)\s+"
    r"(?:" + _SPEAKER + r")\b(?!\s+(?:did|do|does)\b)", re.I)


def described_region(question: str) -> frozenset[str]:
    """The delegations (lowercase names) of the region a question describes its speaker by:
    "Which Nordic country proposed …?" -> Denmark, Finland, Iceland, Norway, Sweden; empty if none."""
    m = _DESCRIBED.search(question)
    if not m:
        return frozenset()
    region = m.group("region")
    for (rx, _), members in zip(_GROUPS, _MEMBERS):
        if re.fullmatch(rx, region, re.I):
            # "a Mediterranean island state": the region's islands (Cyprus, Malta), when it has any
            islands = members & _ISLAND_MEMBERS if "island" in m.group("kind").lower() else frozenset()
            return islands or members
    return frozenset()
