"""Countries as news names them: the country, its people's adjective, its capital and largest
cities, and the usual nicknames ("Thai" and "Bangkok" for Thailand, "Kiwi" for New Zealand).

A question says "the Estonian premier" of an article datelined "TALLINN (Reuters)" that never
writes "Estonia"; without this table the answerer would call that a near miss. One line per
country, lower case: the names of the country and its people, then ";" and its cities (a city
stands for its country, but a country does not stand for one of its cities).
"""

from __future__ import annotations

_COUNTRIES = """
afghanistan|afghan;kabul
albania|albanian;tirana
algeria|algerian;algiers
argentina|argentine|argentinian;buenos aires|patagonia
armenia|armenian;yerevan
australia|australian|aussie;canberra|sydney|melbourne
austria|austrian;vienna
azerbaijan|azerbaijani;baku
bangladesh|bangladeshi;dhaka
belarus|belarusian;minsk
belgium|belgian;brussels|antwerp
bolivia|bolivian;la paz
bosnia|bosnian;sarajevo
brazil|brazilian;brasilia|sao paulo|rio de janeiro
bulgaria|bulgarian;sofia
cambodia|cambodian;phnom penh
cameroon|cameroonian;yaounde
canada|canadian;ottawa|toronto|montreal|vancouver
chile|chilean;santiago
china|chinese;beijing|shanghai|hong kong
colombia|colombian;bogota|medellin
congo|congolese;kinshasa
costa rica|costa rican;san jose
croatia|croatian;zagreb
cuba|cuban;havana
cyprus|cypriot;nicosia
czech republic|czechia|czech;prague
denmark|danish|dane|danes;copenhagen
dominican republic|dominican;santo domingo
ecuador|ecuadorian;quito|guayaquil
egypt|egyptian;cairo
el salvador|salvadoran;san salvador
estonia|estonian;tallinn
ethiopia|ethiopian;addis ababa
finland|finnish;helsinki
france|french;paris|marseille|lyon
georgia|georgian;tbilisi
germany|german;berlin|munich|frankfurt|hamburg
ghana|ghanaian;accra
greece|greek;athens
guatemala|guatemalan;guatemala city
haiti|haitian;port-au-prince
honduras|honduran;tegucigalpa
hungary|hungarian;budapest
iceland|icelandic|icelander;reykjavik
india|indian;new delhi|delhi|mumbai|bengaluru
indonesia|indonesian;jakarta|bali
iran|iranian;tehran
iraq|iraqi;baghdad
ireland|irish;dublin
israel|israeli;jerusalem|tel aviv
italy|italian;rome|milan|naples
ivory coast|ivorian|côte d'ivoire;abidjan
jamaica|jamaican;kingston
japan|japanese;tokyo|osaka
jordan|jordanian;amman
kazakhstan|kazakh;astana|almaty
kenya|kenyan;nairobi|mombasa
kuwait|kuwaiti;
latvia|latvian;riga
lebanon|lebanese;beirut
libya|libyan;tripoli
lithuania|lithuanian;vilnius
luxembourg|luxembourgish;
malaysia|malaysian;kuala lumpur
mexico|mexican;mexico city|monterrey|guadalajara
moldova|moldovan;chisinau
mongolia|mongolian;ulaanbaatar
morocco|moroccan;rabat|casablanca
mozambique|mozambican;maputo
myanmar|burmese|burma;yangon|naypyitaw
nepal|nepali|nepalese;kathmandu
netherlands|dutch|holland;amsterdam|the hague|rotterdam
new zealand|new zealander|kiwi|kiwis;wellington|auckland
nicaragua|nicaraguan;managua
nigeria|nigerian;abuja|lagos
north korea|north korean;pyongyang
norway|norwegian;oslo|bergen
pakistan|pakistani;islamabad|karachi|lahore
panama|panamanian;panama city
paraguay|paraguayan;asuncion
peru|peruvian;lima
philippines|filipino|philippine;manila
poland|polish;warsaw|krakow|wroclaw
portugal|portuguese;porto|lisbon
qatar|qatari;doha
romania|romanian;bucharest
russia|russian;moscow|st petersburg
rwanda|rwandan;kigali
saudi arabia|saudi;riyadh
senegal|senegalese;dakar
serbia|serbian;belgrade
singapore|singaporean;
slovakia|slovak;bratislava
slovenia|slovenian;ljubljana
somalia|somali;mogadishu
south africa|south african;pretoria|johannesburg|cape town
south korea|south korean|korean|korea;seoul|busan
spain|spanish;madrid|barcelona
sri lanka|sri lankan;colombo
sudan|sudanese;khartoum
sweden|swedish|swede|swedes;stockholm|gothenburg
switzerland|swiss;bern|zurich|geneva
syria|syrian;damascus
taiwan|taiwanese;taipei
tanzania|tanzanian;dodoma|dar es salaam
thailand|thai;bangkok
tunisia|tunisian;tunis
turkey|turkish|türkiye;ankara|istanbul
uganda|ugandan;kampala
ukraine|ukrainian;kyiv|kiev|kharkiv
united arab emirates|uae|emirati;abu dhabi|dubai
united kingdom|britain|british|uk|u\\.k\\.|england|english|scotland|scottish|wales|welsh;london
united states|u\\.s\\.|usa|america|american|americans;washington|new york
uruguay|uruguayan;montevideo
uzbekistan|uzbek;tashkent
venezuela|venezuelan;caracas
vietnam|vietnamese;hanoi|ho chi minh city
yemen|yemeni;sanaa
zambia|zambian;lusaka
zimbabwe|zimbabwean;harare
"""

# (names of the country and its people, its cities), each a "|"-separated alternation
COUNTRIES: list[tuple[str, str]] = [(line.split(";")[0], line.split(";")[1])
                                    for line in _COUNTRIES.split("\n") if line]
