"""The demo roster (PRODUCT.md, "Demo data"): the Brasília facility's vendors, mostly Brazilian.

About thirty vendors across nine supply categories, some with further
contacts, writing in Portuguese, English, Spanish or French; one declared
ineligible and one suspended, each with its reason. Registration numbers are
made up in their country's format. Idempotent: a category or vendor already
there (by code; by country and registration number) is left as it is. Called
by demo.services.demo_load after the facility's people exist.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import User

from . import services
from .models import SupplyCategory, Vendor, VendorStatus

OFFICER_EMAIL = "procurement@facility.demo"

CATEGORIES = [
    ("IT-EQUIP", "IT equipment"),
    ("VEHICLES", "Vehicles"),
    ("OFFICE", "Office supplies"),
    ("PRINT", "Printing"),
    ("EVENTS", "Events and venues"),
    ("CONSULT", "Consultancy"),
    ("SOLAR", "Solar energy"),
    ("MEDICAL", "Medical supplies"),
    ("FURNITURE", "Office furniture"),
]

# (legal name, country, registration number, e-mail, language, contact person, telephone, city, categories)
VENDORS = [
    (
        "Tecnologia Planalto Ltda.",
        "BR",
        "12.345.678/0001-90",
        "licitacoes@tecplanalto.com.br",
        "pt-br",
        "Ana Beatriz Souza",
        "+55 61 3321-4500",
        "SIA Trecho 3, Brasília - DF",
        ["IT-EQUIP"],
    ),
    (
        "Cerrado Informática S.A.",
        "BR",
        "23.456.789/0001-01",
        "vendas@cerradoinfo.com.br",
        "pt-br",
        "Marcos Vinícius Lima",
        "+55 61 3035-2200",
        "SCS Quadra 6, Brasília - DF",
        ["IT-EQUIP", "OFFICE"],
    ),
    (
        "Rede Segura Soluções em TI Ltda.",
        "BR",
        "34.567.890/0001-12",
        "comercial@redesegura.com.br",
        "pt-br",
        "Fernanda Rocha",
        "+55 11 3456-7800",
        "Av. Paulista 1000, São Paulo - SP",
        ["IT-EQUIP", "CONSULT"],
    ),
    (
        "Dell Computadores do Brasil Ltda.",
        "BR",
        "72.381.189/0001-10",
        "governo@dell-br.example",
        "pt-br",
        "",
        "+55 51 3274-5500",
        "Eldorado do Sul - RS",
        ["IT-EQUIP"],
    ),
    (
        "Lenovo Global Public Sector",
        "US",
        "EIN 45-2398110",
        "publicsector@lenovo.example",
        "en",
        "James Whitaker",
        "+1 919 555 0143",
        "Morrisville, NC",
        ["IT-EQUIP"],
    ),
    (
        "Brasília Veículos e Frotas Ltda.",
        "BR",
        "45.678.901/0001-23",
        "frotas@bsbveiculos.com.br",
        "pt-br",
        "Ricardo Alves",
        "+55 61 3344-9090",
        "SIA Trecho 1, Brasília - DF",
        ["VEHICLES"],
    ),
    (
        "Toyota do Brasil Ltda. (vendas diretas)",
        "BR",
        "59.104.760/0001-91",
        "vendasdiretas@toyota-br.example",
        "pt-br",
        "Juliana Matsumoto",
        "+55 11 4390-5100",
        "São Bernardo do Campo - SP",
        ["VEHICLES"],
    ),
    (
        "Blindados Andinos S.A.C.",
        "PE",
        "RUC 20512345678",
        "ventas@blindadosandinos.example",
        "es",
        "Luis Paredes",
        "+51 1 555 0199",
        "Lima",
        ["VEHICLES"],
    ),
    (
        "Papelaria Esplanada Ltda.",
        "BR",
        "56.789.012/0001-34",
        "pedidos@papelariaesplanada.com.br",
        "pt-br",
        "Cláudia Nogueira",
        "+55 61 3223-1100",
        "SCLN 305, Brasília - DF",
        ["OFFICE"],
    ),
    (
        "Kalunga Comércio e Indústria Gráfica Ltda.",
        "BR",
        "43.283.811/0001-50",
        "corporativo@kalunga.example",
        "pt-br",
        "",
        "+55 11 3274-6000",
        "São Paulo - SP",
        ["OFFICE", "PRINT"],
    ),
    (
        "Gráfica e Editora Alvorada Ltda.",
        "BR",
        "67.890.123/0001-45",
        "orcamentos@graficaalvorada.com.br",
        "pt-br",
        "Paulo Henrique Dias",
        "+55 61 3552-7070",
        "Taguatinga - DF",
        ["PRINT"],
    ),
    (
        "Imprimerie Lumière SARL",
        "FR",
        "SIRET 532 178 904 00021",
        "devis@imprimerie-lumiere.example",
        "fr",
        "Claire Dubois",
        "+33 1 55 00 12 34",
        "Paris",
        ["PRINT"],
    ),
    (
        "Centro de Convenções Lago Sul Ltda.",
        "BR",
        "78.901.234/0001-56",
        "eventos@cclagosul.com.br",
        "pt-br",
        "Renata Figueiredo",
        "+55 61 3366-4000",
        "SHIS QI 11, Brasília - DF",
        ["EVENTS"],
    ),
    (
        "Hotel Nacional Eventos S.A.",
        "BR",
        "89.012.345/0001-67",
        "grupos@hotelnacional-bsb.example",
        "pt-br",
        "",
        "+55 61 3321-7575",
        "SHS Quadra 1, Brasília - DF",
        ["EVENTS"],
    ),
    (
        "Eventos Rio Sustentável Ltda.",
        "BR",
        "90.123.456/0001-78",
        "contato@riosustentavel.com.br",
        "pt-br",
        "Thiago Moreira",
        "+55 21 2533-8800",
        "Rio de Janeiro - RJ",
        ["EVENTS", "PRINT"],
    ),
    (
        "Consultoria Amazônia Viva Ltda.",
        "BR",
        "01.234.567/0001-89",
        "propostas@amazoniaviva.org.br",
        "pt-br",
        "Dra. Luciana Ferreira",
        "+55 92 3232-4545",
        "Manaus - AM",
        ["CONSULT"],
    ),
    (
        "Development Analytics Partners LLP",
        "GB",
        "OC412345",
        "tenders@devanalytics.example",
        "en",
        "Sarah O'Connell",
        "+44 20 7946 0321",
        "London",
        ["CONSULT"],
    ),
    (
        "Consultores Asociados del Sur S.A.",
        "AR",
        "CUIT 30-71234567-8",
        "licitaciones@consursur.example",
        "es",
        "Martín Gutiérrez",
        "+54 11 5555 0123",
        "Buenos Aires",
        ["CONSULT"],
    ),
    (
        "Cabinet Conseil Sahel SARL",
        "SN",
        "SN-DKR-2015-B-12345",
        "appels@conseilsahel.example",
        "fr",
        "Aminata Diop",
        "+221 33 800 12 34",
        "Dakar",
        ["CONSULT"],
    ),
    (
        "Sol do Cerrado Energia Solar Ltda.",
        "BR",
        "11.222.333/0001-44",
        "projetos@soldocerrado.com.br",
        "pt-br",
        "Eduardo Campos",
        "+55 62 3095-6060",
        "Goiânia - GO",
        ["SOLAR"],
    ),
    (
        "Nordeste Fotovoltaica S.A.",
        "BR",
        "22.333.444/0001-55",
        "comercial@nefotovoltaica.com.br",
        "pt-br",
        "",
        "+55 84 3206-1200",
        "Natal - RN",
        ["SOLAR"],
    ),
    (
        "Energía Solar Andina S.A.",
        "CL",
        "RUT 76.543.210-K",
        "ventas@solarandina.example",
        "es",
        "Camila Rojas",
        "+56 2 2555 0134",
        "Santiago",
        ["SOLAR"],
    ),
    (
        "Hospitalar Brasil Distribuidora Ltda.",
        "BR",
        "33.444.555/0001-66",
        "licitacao@hospitalarbr.com.br",
        "pt-br",
        "Patrícia Mendes",
        "+55 31 3201-4400",
        "Belo Horizonte - MG",
        ["MEDICAL"],
    ),
    (
        "Cristália Produtos Químicos Farmacêuticos Ltda.",
        "BR",
        "44.734.671/0001-51",
        "governo@cristalia.example",
        "pt-br",
        "",
        "+55 19 3863-9500",
        "Itapira - SP",
        ["MEDICAL"],
    ),
    (
        "MedSupply International B.V.",
        "NL",
        "KVK 34123456",
        "tenders@medsupply.example",
        "en",
        "Pieter de Vries",
        "+31 20 555 0178",
        "Amsterdam",
        ["MEDICAL"],
    ),
    (
        "Fournitures Médicales Kinshasa SARL",
        "CD",
        "CD/KIN/RCCM/14-B-5678",
        "offres@fmk.example",
        "fr",
        "Jean-Paul Mbuyi",
        "+243 81 555 0101",
        "Kinshasa",
        ["MEDICAL"],
    ),
    (
        "Móveis Corporativos Planalto Ltda.",
        "BR",
        "55.666.777/0001-88",
        "vendas@moveisplanalto.com.br",
        "pt-br",
        "Roberto Siqueira",
        "+55 61 3399-2020",
        "SOF Sul, Brasília - DF",
        ["FURNITURE", "OFFICE"],
    ),
    (
        "Ergonomia Escritórios S.A.",
        "BR",
        "66.777.888/0001-99",
        "atendimento@ergonomia.com.br",
        "pt-br",
        "",
        "+55 41 3322-5050",
        "Curitiba - PR",
        ["FURNITURE"],
    ),
    (
        "Soluciones Tecnológicas del Pacífico S.A.S.",
        "CO",
        "NIT 900.123.456-7",
        "licitaciones@stpacifico.example",
        "es",
        "Valentina Ríos",
        "+57 1 555 0167",
        "Bogotá",
        ["IT-EQUIP", "CONSULT"],
    ),
    (
        "Global Relief Logistics Inc.",
        "US",
        "EIN 27-1234567",
        "bids@globalrelief.example",
        "en",
        "Michael Chen",
        "+1 202 555 0188",
        "Washington, DC",
        ["VEHICLES", "MEDICAL"],
    ),
]

# Further people at some vendors: (registration number, name, role, e-mail, telephone).
CONTACTS = [
    ("12.345.678/0001-90", "Carlos Eduardo Pinto", "Accounts", "financeiro@tecplanalto.com.br", "+55 61 3321-4510"),
    ("12.345.678/0001-90", "Larissa Campos", "Technical support", "suporte@tecplanalto.com.br", ""),
    ("45.678.901/0001-23", "Sérgio Batista", "Fleet maintenance", "oficina@bsbveiculos.com.br", "+55 61 3344-9191"),
    ("78.901.234/0001-56", "Bruna Tavares", "Bookings", "reservas@cclagosul.com.br", "+55 61 3366-4010"),
    ("OC412345", "Tom Adeyemi", "Contracts", "contracts@devanalytics.example", "+44 20 7946 0999"),
    ("33.444.555/0001-66", "Gustavo Reis", "Cold chain logistics", "", "+55 31 3201-4499"),
    ("SIRET 532 178 904 00021", "Marc Lefèvre", "Production", "production@imprimerie-lumiere.example", ""),
]

# One vendor declared ineligible, one suspended: (registration number, status, reason).
STATUSES = [
    (
        "90.123.456/0001-78",
        VendorStatus.INELIGIBLE,
        "Listed on the UN Ineligibility List (UN Global Marketplace) after a finding of collusive bidding in a "
        "2025 solicitation of another UN entity; ineligible for five years.",
    ),
    (
        "22.333.444/0001-55",
        VendorStatus.SUSPENDED,
        "Certificate of tax compliance (CND) expired; suspended until a valid certificate is received.",
    ),
]


@transaction.atomic
def roster_ensure() -> None:
    """The demo categories and vendors, their contacts and the two barred vendors; nothing twice."""
    officer = User.objects.filter(email=OFFICER_EMAIL).first()
    if officer is None:
        return  # the demo's people come first (demo.services.demo_load)
    for code, name in CATEGORIES:
        if not SupplyCategory.objects.filter(code=code).exists():
            services.category_create(code=code, name=name, created_by=officer)
    categories = {category.code: category for category in SupplyCategory.objects.all()}
    created: set[str] = set()
    for legal_name, country, number, email, language, contact, phone, address, codes in VENDORS:
        key = services.registration_key(number)
        if Vendor.objects.filter(country=country, registration_key=key).exists():
            continue
        services.vendor_create(
            legal_name=legal_name,
            country=country,
            registration_number=number,
            email=email,
            language=language,
            contact_name=contact,
            phone=phone,
            address=address,
            categories=[categories[code] for code in codes],
            created_by=officer,
        )
        created.add(number)
    by_number = {vendor.registration_number: vendor for vendor in Vendor.objects.all()}
    for number, name, role, email, phone in CONTACTS:
        if number in created:
            services.contact_add(
                vendor=by_number[number], name=name, role=role, email=email, phone=phone, added_by=officer
            )
    for number, status, reason in STATUSES:
        if number in created:
            services.vendor_status_set(vendor=by_number[number], status=status, reason=reason, changed_by=officer)
