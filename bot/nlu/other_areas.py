"""Names of other areas' local authorities: a question about their reviews is not about ours.

Practitioners ask about reviews from elsewhere ("Nottingham City CSPR 2023", "Northamptonshire Child A").
The bot holds only its own partnerships' reviews, so such a question must fall back with the national
repository rather than answer with a local review. This is recognition vocabulary, never shown as a fact.
Names that are also everyday words or common first names (Reading, Bury, Bath, Brent, Dudley) are left
out: a false "other area" would hide a right answer.
"""

from __future__ import annotations

OTHER_AREAS = (
    # counties and county unitaries
    "bedfordshire", "berkshire", "buckinghamshire", "cambridgeshire", "cheshire", "cornwall", "cumbria",
    "derbyshire", "devon", "dorset", "durham", "essex", "gloucestershire", "hampshire", "herefordshire",
    "hertfordshire", "isle of wight", "kent", "lancashire", "lincolnshire", "norfolk", "northamptonshire",
    "northants", "north yorkshire", "northumberland", "nottinghamshire", "notts", "oxfordshire", "shropshire",
    "somerset", "staffordshire", "suffolk", "surrey", "east sussex", "west sussex", "sussex", "warwickshire",
    "wiltshire", "worcestershire", "cumberland", "westmorland",
    # cities and boroughs
    "birmingham", "bradford", "brighton", "bristol", "coventry", "derby", "doncaster", "gateshead", "hull",
    "kirklees", "leeds", "liverpool", "london", "luton", "manchester", "middlesbrough", "milton keynes",
    "newcastle", "northampton", "nottingham", "oldham", "peterborough", "plymouth", "portsmouth", "rochdale",
    "rotherham", "salford", "sandwell", "sheffield", "southampton", "southend", "stockport", "stoke on trent",
    "sunderland", "swindon", "tameside", "telford", "wakefield", "walsall", "wigan", "wirral", "wolverhampton",
    "york", "blackpool", "blackburn", "bolton", "bournemouth", "solihull", "knowsley", "sefton", "st helens",
    "trafford", "barnsley", "calderdale", "croydon", "lambeth", "southwark", "hackney", "haringey", "islington",
    "tower hamlets", "newham", "lewisham", "greenwich", "enfield", "ealing", "hounslow", "hillingdon", "barnet",
    "camden", "westminster", "wandsworth", "bromley", "bexley", "havering", "redbridge", "waltham forest",
    "kingston", "merton", "hammersmith", "kensington", "cardiff", "swansea", "newport", "wrexham", "wales",
    "scotland", "glasgow", "edinburgh", "belfast",
)
