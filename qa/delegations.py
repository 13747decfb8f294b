"""Names of the delegations that speak at the OSCE, and the other names they go by.

A question says "Moscow", "the Russians" or "Russia"; the corpus says "Russian
Federation". Every OSCE participating State is listed with its common short
names and adjectives, so that filters, speaker detection and the
abstention rules work for statements by any of them, not only the seeds'
five; every UN Member is named by its capital too. Names the corpus itself uses
are added at run time (`alias_table`).
"""

from __future__ import annotations

import re

# canonical name: other names (lowercase). The canonical name is the one OSCE
# documents use; a corpus that spells a delegation differently still matches
# through `same_delegation`. Capitals are left out but for a few used for their
# governments: the Copenhagen Document, the Minsk Group and the Vienna Document
# are not Denmark, Belarus and Austria speaking. The seats of government that stand for
# it (the Kremlin, the White House) are the government.
_NAMES = {
    "European Union": "eu, european union, brussels, the eu",
    "United States": "us, u.s., usa, united states, united states of america, america, american, americans, "
                     "washington, white house, the white house",
    "Russian Federation": "russia, russian, russians, russian federation, moscow, kremlin, the kremlin",
    "Kazakhstan": "kazakhstan, kazakh, kazakhs, astana, nur-sultan",
    "United Kingdom": "uk, britain, great britain, united kingdom, british, downing street",
    "Ukraine": "ukraine, ukrainian, ukrainians, kyiv, kiev",
    "Belarus": "belarus, belarusian",
    "Kyrgyzstan": "kyrgyzstan, kyrgyz, kyrgyz republic",
    "Uzbekistan": "uzbekistan, uzbek",
    "Tajikistan": "tajikistan, tajik",
    "Turkmenistan": "turkmenistan, turkmen",
    "Armenia": "armenia, armenian",
    "Azerbaijan": "azerbaijan, azerbaijani",
    "Georgia": "georgia, georgian",
    "Moldova": "moldova, moldovan, republic of moldova",
    "Türkiye": "türkiye, turkiye, turkey, turkish",
    "Germany": "germany, german",
    "France": "france, french, élysée, elysee",
    "Italy": "italy, italian",
    "Spain": "spain, spanish",
    "Poland": "poland, polish",
    "Canada": "canada, canadian",
    "Norway": "norway, norwegian",
    "Sweden": "sweden, swedish",
    "Finland": "finland, finnish",
    "Switzerland": "switzerland, swiss",
    "Austria": "austria, austrian",
    "Netherlands": "netherlands, the netherlands, dutch",
    "Czechia": "czechia, czech republic, czech",
    "North Macedonia": "north macedonia, macedonia, macedonian",
    "Holy See": "holy see, vatican, the vatican",
    "Mongolia": "mongolia, mongolian",
    "Serbia": "serbia, serbian",
    "Albania": "albania, albanian",
    "Bosnia and Herzegovina": "bosnia and herzegovina, bosnia",
    "Montenegro": "montenegro",
    "Croatia": "croatia, croatian",
    "Slovenia": "slovenia, slovenian",
    "Slovakia": "slovakia, slovak",
    "Hungary": "hungary, hungarian",
    "Romania": "romania, romanian",
    "Bulgaria": "bulgaria, bulgarian",
    "Greece": "greece, greek",
    "Cyprus": "cyprus, cypriot",
    "Malta": "malta, maltese",
    "Portugal": "portugal, portuguese",
    "Ireland": "ireland, irish",
    "Iceland": "iceland, icelandic",
    "Denmark": "denmark, danish",
    "Estonia": "estonia, estonian",
    "Latvia": "latvia, latvian",
    "Lithuania": "lithuania, lithuanian",
    "Belgium": "belgium, belgian",
    "Luxembourg": "luxembourg",
    "Liechtenstein": "liechtenstein",
    "Monaco": "monaco",
    "San Marino": "san marino",
    "Andorra": "andorra",
}
# Capitals a question may name a government by, but only where something is said ("What did
# London say ...?", "according to Ottawa", "And Bern?"): elsewhere a capital is a place or
# a document's name ("the Helsinki Final Act", "the Minsk Group", "the Copenhagen Document"
# speak nowhere in those patterns). Left out even there: Vienna and Warsaw, the OSCE's and
# ODIHR's seats ("statements from Vienna", "ODIHR in Warsaw said"), Skopje and Sarajevo (OSCE
# missions: "the Skopje mission's view"), and the capitals already above as aliases (Moscow,
# Brussels, ...).
_CAPITALS = {
    "United Kingdom": "london", "France": "paris", "Germany": "berlin", "Türkiye": "ankara",
    "Canada": "ottawa", "Switzerland": "bern, berne", "Norway": "oslo", "Italy": "rome", "Spain": "madrid",
    "Sweden": "stockholm", "Armenia": "yerevan",
    "Azerbaijan": "baku", "Georgia": "tbilisi", "Moldova": "chisinau, chișinău", "Kyrgyzstan": "bishkek",
    "Uzbekistan": "tashkent", "Tajikistan": "dushanbe", "Turkmenistan": "ashgabat",
    "Serbia": "belgrade", "Albania": "tirana",
    "Montenegro": "podgorica", "Croatia": "zagreb", "Slovenia": "ljubljana", "Slovakia": "bratislava",
    "Hungary": "budapest", "Romania": "bucharest", "Bulgaria": "sofia", "Greece": "athens",
    "Cyprus": "nicosia", "Malta": "valletta", "Portugal": "lisbon", "Ireland": "dublin",
    "Iceland": "reykjavik", "Estonia": "tallinn", "Latvia": "riga", "Lithuania": "vilnius",
    "Czechia": "prague", "Mongolia": "ulaanbaatar",
    "Finland": "helsinki", "Denmark": "copenhagen", "Belarus": "minsk", "Netherlands": "the hague, amsterdam",
    # the rest of the world, as the UN names its Members: a collection of UN speeches is asked
    # "According to Kinshasa, ...?". Left out: capitals that are the country's own name (Kuwait,
    # Singapore, Djibouti), that are ordinary words or given names (Male, Victoria), and Jerusalem.
    "Afghanistan": "kabul", "Algeria": "algiers", "Angola": "luanda", "Antigua and Barbuda": "st. john's",
    "Argentina": "buenos aires", "Australia": "canberra", "Bahamas": "nassau", "Bahrain": "manama",
    "Bangladesh": "dhaka", "Barbados": "bridgetown", "Belize": "belmopan", "Benin": "porto-novo, cotonou",
    "Bhutan": "thimphu", "Bolivia": "la paz, sucre", "Botswana": "gaborone", "Brazil": "brasilia, brasília",
    "Brunei Darussalam": "bandar seri begawan", "Burkina Faso": "ouagadougou", "Burundi": "bujumbura, gitega",
    "Cabo Verde": "praia", "Cambodia": "phnom penh", "Cameroon": "yaoundé, yaounde",
    "Central African Republic": "bangui", "Chad": "n'djamena, ndjamena", "Chile": "santiago",
    "China": "beijing", "Colombia": "bogotá, bogota", "Comoros": "moroni", "Congo": "brazzaville",
    "Costa Rica": "san josé, san jose", "Côte d'Ivoire": "yamoussoukro, abidjan", "Cuba": "havana",
    "Democratic People's Republic of Korea": "pyongyang", "Democratic Republic of the Congo": "kinshasa",
    "Dominica": "roseau", "Dominican Republic": "santo domingo", "Ecuador": "quito", "Egypt": "cairo",
    "El Salvador": "san salvador", "Equatorial Guinea": "malabo", "Eritrea": "asmara", "Eswatini": "mbabane",
    "Ethiopia": "addis ababa", "Fiji": "suva", "Gabon": "libreville", "Gambia": "banjul", "Ghana": "accra",
    "Grenada": "st. george's", "Guatemala": "guatemala city", "Guinea": "conakry", "Guinea-Bissau": "bissau",
    "Guyana": "georgetown", "Haiti": "port-au-prince", "Honduras": "tegucigalpa", "India": "new delhi",
    "Indonesia": "jakarta", "Iran": "tehran", "Iraq": "baghdad", "Jamaica": "kingston",
    "Japan": "tokyo", "Jordan": "amman", "Kenya": "nairobi", "Kiribati": "tarawa", "Laos": "vientiane",
    "Lebanon": "beirut", "Lesotho": "maseru", "Liberia": "monrovia", "Libya": "tripoli", "Madagascar": "antananarivo",
    "Malawi": "lilongwe", "Malaysia": "kuala lumpur", "Mali": "bamako", "Marshall Islands": "majuro",
    "Mauritania": "nouakchott", "Mauritius": "port louis", "Mexico": "mexico city",
    "Micronesia (Federated States of)": "palikir", "Morocco": "rabat", "Mozambique": "maputo",
    "Myanmar": "naypyidaw, nay pyi taw",
    "Namibia": "windhoek", "Nauru": "yaren", "Nepal": "kathmandu", "New Zealand": "wellington", "Nicaragua": "managua",
    "Niger": "niamey", "Nigeria": "abuja", "Oman": "muscat", "Pakistan": "islamabad", "Palau": "ngerulmud",
    "Panama": "panama city", "Papua New Guinea": "port moresby", "Paraguay": "asunción, asuncion", "Peru": "lima",
    "Philippines": "manila", "Qatar": "doha", "Republic of Korea": "seoul", "Rwanda": "kigali",
    "Saint Kitts and Nevis": "basseterre", "Saint Lucia": "castries", "Saint Vincent and the Grenadines": "kingstown",
    "Samoa": "apia", "Sao Tome and Principe": "são tomé, sao tome", "Saudi Arabia": "riyadh", "Senegal": "dakar",
    "Sierra Leone": "freetown", "Solomon Islands": "honiara", "Somalia": "mogadishu", "South Africa": "pretoria",
    "South Sudan": "juba", "Sri Lanka": "colombo", "State of Palestine": "ramallah", "Sudan": "khartoum",
    "Suriname": "paramaribo", "Syria": "damascus", "Thailand": "bangkok", "Timor-Leste": "dili", "Togo": "lomé, lome",
    "Tonga": "nuku'alofa", "Trinidad and Tobago": "port of spain", "Tunisia": "tunis", "Tuvalu": "funafuti",
    "Uganda": "kampala", "United Arab Emirates": "abu dhabi", "United Republic of Tanzania": "dodoma, dar es salaam",
    "Uruguay": "montevideo", "Vanuatu": "port vila", "Venezuela": "caracas", "Vietnam": "hanoi",
    "Yemen": "sanaa, sana'a",
    "Zambia": "lusaka", "Zimbabwe": "harare",
}
# The people, as a question names a government by them ("Did the Canadians reply?"); the
# Americans, Russians, Kazakhs and Ukrainians are above.
_PEOPLE = {
    "Canada": "canadians", "Norway": "norwegians", "Sweden": "swedes", "Finland": "finns", "Denmark": "danes",
    "Germany": "germans", "Italy": "italians", "Poland": "poles", "Armenia": "armenians", "Georgia": "georgians",
    "Moldova": "moldovans", "Azerbaijan": "azerbaijanis", "Belarus": "belarusians", "Uzbekistan": "uzbeks",
    "Tajikistan": "tajiks", "Turkmenistan": "turkmens", "Türkiye": "turks", "United Kingdom": "brits",
    "Austria": "austrians", "Czechia": "czechs", "Slovakia": "slovaks", "Serbia": "serbs, serbians",
    "Croatia": "croats, croatians", "Slovenia": "slovenians, slovenes", "Hungary": "hungarians",
    "Romania": "romanians", "Bulgaria": "bulgarians", "Greece": "greeks", "Cyprus": "cypriots",
    "Albania": "albanians", "North Macedonia": "macedonians", "Mongolia": "mongolians", "Estonia": "estonians",
    "Latvia": "latvians", "Lithuania": "lithuanians", "Belgium": "belgians", "Iceland": "icelanders",
}
# The rest of the UN's Members, as the UN names them, with the adjectives a question uses for
# their governments ("the Salvadoran delegation", "the Sudanese government"). Left out where one
# word names two states or a region: Congolese, Guinean, Korean, Dominican, Central African.
_WORLD = {
    "Afghanistan": "afghanistan, afghan", "Algeria": "algeria, algerian", "Angola": "angola, angolan",
    "Antigua and Barbuda": "antigua and barbuda, antiguan", "Argentina": "argentina, argentine, argentinian",
    "Australia": "australia, australian", "Bahamas": "bahamas, bahamian", "Bahrain": "bahrain, bahraini",
    "Bangladesh": "bangladesh, bangladeshi", "Barbados": "barbados, barbadian", "Belize": "belize, belizean",
    "Benin": "benin, beninese", "Bhutan": "bhutan, bhutanese", "Bolivia": "bolivia, bolivian",
    "Botswana": "botswana", "Brazil": "brazil, brazilian", "Brunei Darussalam": "brunei darussalam, brunei, bruneian",
    "Burkina Faso": "burkina faso, burkinabe, burkinabè", "Burundi": "burundi, burundian",
    "Cabo Verde": "cabo verde, cape verde, cabo verdean, cape verdean", "Cambodia": "cambodia, cambodian",
    "Cameroon": "cameroon, cameroonian", "Chad": "chad, chadian", "Chile": "chile, chilean",
    "China": "china, chinese", "Colombia": "colombia, colombian", "Comoros": "comoros, comorian",
    "Costa Rica": "costa rica, costa rican", "Côte d'Ivoire": "côte d'ivoire, cote d'ivoire, ivory coast, ivorian",
    "Cuba": "cuba, cuban", "Djibouti": "djibouti, djiboutian", "Ecuador": "ecuador, ecuadorian, ecuadorean",
    "Egypt": "egypt, egyptian", "El Salvador": "el salvador, salvadoran, salvadorian",
    "Equatorial Guinea": "equatorial guinea, equatoguinean", "Eritrea": "eritrea, eritrean",
    "Eswatini": "eswatini, swaziland, swazi", "Ethiopia": "ethiopia, ethiopian", "Fiji": "fiji, fijian",
    "Gabon": "gabon, gabonese", "Gambia": "gambia, gambian", "Ghana": "ghana, ghanaian",
    "Grenada": "grenada, grenadian", "Guatemala": "guatemala, guatemalan", "Guinea-Bissau": "guinea-bissau, bissau-guinean",
    "Guyana": "guyana, guyanese", "Haiti": "haiti, haitian", "Honduras": "honduras, honduran",
    "India": "india, indian", "Indonesia": "indonesia, indonesian", "Iran": "iran, iranian",
    "Iraq": "iraq, iraqi", "Israel": "israel, israeli", "Jamaica": "jamaica, jamaican",
    "Japan": "japan, japanese", "Jordan": "jordan, jordanian", "Kenya": "kenya, kenyan", "Kiribati": "kiribati",
    "Kuwait": "kuwait, kuwaiti", "Laos": "laos, lao", "Lebanon": "lebanon, lebanese", "Lesotho": "lesotho",
    "Liberia": "liberia, liberian", "Libya": "libya, libyan", "Madagascar": "madagascar, malagasy",
    "Malawi": "malawi, malawian", "Malaysia": "malaysia, malaysian", "Maldives": "maldives, maldivian",
    "Mali": "mali, malian", "Marshall Islands": "marshall islands, marshallese",
    "Mauritania": "mauritania, mauritanian", "Mauritius": "mauritius, mauritian", "Mexico": "mexico, mexican",
    "Micronesia (Federated States of)": "micronesia, micronesian", "Morocco": "morocco, moroccan",
    "Mozambique": "mozambique, mozambican", "Myanmar": "myanmar, burma, burmese", "Namibia": "namibia, namibian",
    "Nauru": "nauru, nauruan", "Nepal": "nepal, nepalese, nepali", "New Zealand": "new zealand",
    "Nicaragua": "nicaragua, nicaraguan", "Niger": "niger, nigerien", "Nigeria": "nigeria, nigerian",
    "Oman": "oman, omani", "Pakistan": "pakistan, pakistani", "Palau": "palau, palauan",
    "Panama": "panama, panamanian", "Papua New Guinea": "papua new guinea, papua new guinean",
    "Paraguay": "paraguay, paraguayan", "Peru": "peru, peruvian", "Philippines": "philippines, philippine, filipino",
    "Qatar": "qatar, qatari", "Rwanda": "rwanda, rwandan", "Saint Kitts and Nevis": "saint kitts and nevis",
    "Saint Lucia": "saint lucia, st. lucia, saint lucian",
    "Saint Vincent and the Grenadines": "saint vincent and the grenadines, vincentian", "Samoa": "samoa, samoan",
    "Sao Tome and Principe": "sao tome and principe, são tomé and príncipe, santomean",
    "Saudi Arabia": "saudi arabia, saudi", "Senegal": "senegal, senegalese", "Seychelles": "seychelles, seychellois",
    "Sierra Leone": "sierra leone, sierra leonean", "Singapore": "singapore, singaporean",
    "Solomon Islands": "solomon islands", "Somalia": "somalia, somali", "South Africa": "south africa, south african",
    "South Sudan": "south sudan, south sudanese", "Sri Lanka": "sri lanka, sri lankan",
    "State of Palestine": "state of palestine, palestine, palestinian", "Sudan": "sudan, sudanese",
    "Suriname": "suriname, surinamese", "Syria": "syria, syrian", "Thailand": "thailand, thai",
    "Timor-Leste": "timor-leste, east timor, timorese", "Togo": "togo, togolese", "Tonga": "tonga, tongan",
    "Trinidad and Tobago": "trinidad and tobago, trinidadian", "Tunisia": "tunisia, tunisian",
    "Tuvalu": "tuvalu, tuvaluan", "Uganda": "uganda, ugandan", "United Arab Emirates": "united arab emirates, emirati",
    "United Republic of Tanzania": "tanzania, tanzanian", "Uruguay": "uruguay, uruguayan",
    "Vanuatu": "vanuatu", "Venezuela": "venezuela, venezuelan", "Vietnam": "vietnam, viet nam, vietnamese",
    "Yemen": "yemen, yemeni", "Zambia": "zambia, zambian", "Zimbabwe": "zimbabwe, zimbabwean",
    "Central African Republic": "central african republic", "Congo": "congo, republic of the congo",
    "Democratic Republic of the Congo": "democratic republic of the congo, dr congo, drc",
    "Republic of Korea": "republic of korea, south korea", "Guinea": "guinea",
    "Democratic People's Republic of Korea": "democratic people's republic of korea, north korea, dprk",
    "Dominica": "dominica", "Dominican Republic": "dominican republic",
}
DELEGATION_ALIASES = {alias.strip(): canon for table in (_NAMES, _PEOPLE, _WORLD)
                      for canon, names in table.items() for alias in names.split(",")}
CAPITALS = {c.strip(): canon for canon, names in _CAPITALS.items() for c in names.split(",")}
# Names that are also ordinary words or places in other senses: counted only when
# written as a name (see delegation_mentions).
_AMBIGUOUS = {"us": r"(?<![\w.])(US|U\.S\.)(?!\w)", "georgia": r"\bGeorgia\b", "turkey": r"\bTurkey\b",
              "polish": r"\bPolish\b", "poles": r"\bPoles\b"}
# "a Central American delegation", "Latin America": a region, not the United States
_NOT_THE_REGION = r"(?i)(?<!central )(?<!latin )(?<!south )(?<!north )(?<!pan-)(?<!pan )"
_AMBIGUOUS.update({name: rf"{_NOT_THE_REGION}\b{name}\b" for name in ("america", "american", "americans")})


def trie_alternation(names) -> str:
    r"""The names (lowercased) as one regex alternation written as a trie ("united(?: kingdom|
    states(?: of america)?)?"): the same matches as the plain alternation longest first, but the
    regex engine tries each character once instead of once per name. Match it with re.I."""
    trie: dict = {}
    for name in {n.lower() for n in names}:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        # longer continuations first, then "the name ends here": the regex backtracks to
        # a shorter name only when a longer one does not fit what follows
        kids = [re.escape(ch) + pattern(sub) for ch, sub in sorted(node.items()) if ch]
        if not kids:
            return ""
        body = kids[0] if len(kids) == 1 else "(?:" + "|".join(kids) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


def capital_of(capital: str, aliases: dict[str, str]) -> str:
    """The delegation a capital (a `CAPITALS` key) names, as the corpus spells it."""
    canon = CAPITALS[capital]
    return aliases.get(canon.lower(), canon)


def canonical_delegation(name: str) -> str:
    return DELEGATION_ALIASES.get(name.strip().lower(), name.strip())


# Words that only give a state's form or its office: "Republic of Moldova" is Moldova, "Iran (Islamic
# Republic of)" is Iran and "Permanent Mission of Canada to the OSCE" is Canada, but "Democratic
# Republic of the Congo" is not Congo, "South Sudan" is not Sudan and Niger is not Nigeria.
_FORM_WORDS = frozenset("""the of republic state states federation federated kingdom united america plurinational
bolivarian islamic great britain and northern ireland delegation permanent mission to osce un nations""".split())
_NAME_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def same_delegation(a: str | None, b: str | None) -> bool:
    """'United States' and 'United States of America' are one delegation; so are
    'Turkey' and 'Türkiye', and 'Moldova' and 'Republic of Moldova'. One name must be the
    other's words with only words of a state's form around them."""
    a, b = canonical_delegation(a or "").lower(), canonical_delegation(b or "").lower()
    if not a or not b:
        return False
    if a == b:
        return True
    short, long = sorted((_NAME_WORD.findall(a), _NAME_WORD.findall(b)), key=len)
    n = len(short)
    return any(long[i:i + n] == short and all(w in _FORM_WORDS for w in long[:i] + long[i + n:])
               for i in range(len(long) - n + 1)) if n else False


def names_of(delegation: str, table: dict[str, str]) -> list[str]:
    """The names a table (name -> delegation) gives a delegation, in any spelling of it."""
    return [name for name, canon in table.items() if same_delegation(canon, delegation)]


def alias_table(documents=()) -> dict[str, str]:
    """The known aliases plus every delegation name the corpus itself uses; a known
    delegation maps to the corpus's spelling of it ('turkey' -> 'Turkey' in a corpus
    that says Turkey)."""
    table = dict(DELEGATION_ALIASES)
    for doc in documents:
        if doc.delegation:
            canon = canonical_delegation(doc.delegation)
            for alias, c in DELEGATION_ALIASES.items():
                if c == canon:
                    table[alias] = doc.delegation
            table.setdefault(doc.delegation.lower(), doc.delegation)
    return table


def delegation_mentions(text: str, aliases: dict[str, str] = DELEGATION_ALIASES) -> list[str]:
    """The delegations a text names, in the order it first names them. One pass over the text."""
    low = f" {text.lower()} "
    first: dict[str, int] = {}
    checked: dict[str, bool] = {}
    for m in _alias_pattern(aliases).finditer(low):
        alias = m.group(0)
        canon = aliases[alias]
        if canon in first:
            continue
        # "us" as a pronoun is far commoner than the country: only "US"/"U.S." in capitals count
        if alias in _AMBIGUOUS:
            if alias not in checked:
                checked[alias] = bool(re.search(_AMBIGUOUS[alias], text))
            if not checked[alias]:
                continue
        first[canon] = m.start()
    return sorted(first, key=first.get)


_PATTERNS: list[tuple[dict, re.Pattern]] = []


def _alias_pattern(aliases: dict[str, str]) -> re.Pattern:
    """Every alias as one alternation, longest first, at word boundaries; one per alias table."""
    for table, pattern in _PATTERNS:
        if table is aliases:
            return pattern
    names = sorted(aliases, key=len, reverse=True)
    pattern = re.compile(rf"(?<![\w.])(?:{'|'.join(map(re.escape, names))})(?!\w)")
    _PATTERNS.append((aliases, pattern))
    del _PATTERNS[:-8]     # a few tables per process (the default one, each index's)
    return pattern
