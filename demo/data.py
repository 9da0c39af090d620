"""The demo facility: the UN Joint Operations Facility in Brazil (PRODUCT.md, "Demo data")."""

from accounts.models import Role

DEMO_PASSWORD = "jof-demo-2026"

AGENCIES = [
    # code, name, kind, headcount
    ("UNDP", "United Nations Development Programme", "member", 180),
    ("UNFPA", "United Nations Population Fund", "member", 45),
    ("UNESCO", "United Nations Educational, Scientific and Cultural Organization", "member", 70),
    ("UNWOMEN", "UN Women", "member", 35),
    ("UNOPS", "United Nations Office for Project Services", "member", 120),
    ("UNEP", "United Nations Environment Programme", "member", 30),
    ("UNAIDS", "Joint United Nations Programme on HIV/AIDS", "partner", 15),
]

# The language each agency's invoices, reports and minutes are written in (the facility is in Brazil).
AGENCY_LANGUAGES = {
    "UNDP": "en",
    "UNFPA": "pt-br",
    "UNESCO": "fr",
    "UNWOMEN": "es",
    "UNOPS": "en",
    "UNEP": "en",
    "UNAIDS": "pt-br",
}

# Per agency: e-mail local part, first name, last name, roles. The address is
# <local>@<code>.demo, e.g. requester@undp.demo.
AGENCY_PEOPLE = [
    ("requester", "Ana", "Souza", [Role.REQUESTER]),
    ("requester2", "Bruno", "Lima", [Role.REQUESTER]),
    ("approver", "Carla", "Ferreira", [Role.APPROVER, Role.REQUESTER]),
    ("finance", "Daniel", "Costa", [Role.AGENCY_FINANCE]),
    ("board", "Eduarda", "Almeida", [Role.BOARD_REPRESENTATIVE, Role.REQUESTER]),
    ("alternate", "Felipe", "Rocha", [Role.BOARD_ALTERNATE]),
]
# A partner has no vote: its board people observe.
PARTNER_BOARD_ROLE = {Role.BOARD_REPRESENTATIVE: Role.BOARD_OBSERVER, Role.BOARD_ALTERNATE: Role.BOARD_OBSERVER}

FACILITY_PEOPLE = [
    # e-mail, first name, last name, roles, platform administrator
    ("manager@facility.demo", "Gabriela", "Martins", [Role.FACILITY_MANAGER], False),
    ("procurement@facility.demo", "Henrique", "Barbosa", [Role.PROCUREMENT_AGENT], False),
    ("procurement2@facility.demo", "Paula", "Nogueira", [Role.PROCUREMENT_AGENT], False),
    ("committee@facility.demo", "Rafael", "Moreira", [Role.CONTRACTS_COMMITTEE], False),
    ("travel@facility.demo", "Isabela", "Ribeiro", [Role.TRAVEL_AGENT], False),
    ("ict@facility.demo", "João", "Carvalho", [Role.ICT_AGENT], False),
    ("ict2@facility.demo", "Karina", "Gomes", [Role.ICT_AGENT], False),
    ("finance@facility.demo", "Lucas", "Pereira", [Role.FACILITY_FINANCE], False),
    ("quality@facility.demo", "Mariana", "Dias", [Role.QUALITY_FOCAL_POINT], False),
    ("auditor@facility.demo", "Nelson", "Teixeira", [Role.AUDITOR], False),
    ("review@facility.demo", "Sofia", "Lima", [Role.REVIEW_COMMITTEE], False),
    ("internal-audit@facility.demo", "Tiago", "Rocha", [Role.INTERNAL_AUDITOR], False),
    ("admin@facility.demo", "Olívia", "Mendes", [Role.FACILITY_MANAGER], True),
]
