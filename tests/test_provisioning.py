"""Creating an agency: its schema is a copy of the template, and it gets its address."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_context, schema_exists

from tenants.models import Agency, Domain
from tenants.services import agency_create

pytestmark = pytest.mark.django_db


def applied_migrations(schema: str) -> set[tuple[str, str]]:
    with schema_context(schema), connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations")
        return set(cursor.fetchall())


def tables_in(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def test_create_agency_command_creates_schema_and_address(facility, capsys):
    call_command("create_agency", "--code", "UNICEF", "--name", "United Nations Children's Fund", "--headcount", "60")
    agency = Agency.objects.get(code="UNICEF")
    assert agency.schema_name == "unicef"
    assert agency.kind == "member" and agency.headcount == 60
    assert schema_exists("unicef")
    assert Domain.objects.get(tenant=agency).domain == "unicef.localhost"
    assert "unicef.localhost" in capsys.readouterr().out


def test_a_new_agency_is_a_copy_of_the_template_with_its_migrations_recorded(facility, settings):
    agency = agency_create(code="WFP", name="World Food Programme")
    template = settings.TENANT_BASE_SCHEMA
    assert tables_in(agency.schema_name) == tables_in(template)
    assert applied_migrations(agency.schema_name) == applied_migrations(template)
    assert ("contenttypes", "0001_initial") in applied_migrations(agency.schema_name)


def test_a_partner_is_created_with_the_partner_kind(facility):
    call_command("create_agency", "--code", "UNHCR", "--name", "UNHCR", "--kind", "partner")
    assert Agency.objects.get(code="UNHCR").has_vote is False


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("undp", "already exists"),  # lower case is the same code
        ("1ABC", "2 to 15 capital letters"),
        ("A", "2 to 15 capital letters"),
        ("UN-DP", "2 to 15 capital letters"),
        ("PUBLIC'; DROP", "2 to 15 capital letters"),
    ],
)
def test_a_bad_or_taken_code_is_refused_and_nothing_is_created(undp, code, message):
    schemas_before = Agency.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("create_agency", "--code", code, "--name", "Some agency")
    assert Agency.objects.count() == schemas_before


def test_a_missing_name_is_refused(facility):
    with pytest.raises(CommandError, match="needs a name"):
        call_command("create_agency", "--code", "ILO", "--name", "  ")
    assert not Agency.objects.filter(code="ILO").exists()
    assert not schema_exists("ilo")


def test_the_facility_admin_creates_an_agency_from_the_admin_page(facility, make_person, client_at):
    admin = make_person(is_staff=True, is_superuser=True)
    browser = client_at(facility, admin)
    response = browser.post(
        "/admin/tenants/agency/add/",
        {
            "code": "iom",
            "name": "International Organization for Migration",
            "kind": "member",
            "headcount": "25",
            "language": "fr",
            "is_active": "on",
            "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    agency = Agency.objects.get(code="IOM")
    assert schema_exists("iom")
    assert agency.primary_domain_name == "iom.localhost"
    assert agency.language == "fr"  # the language of its invoices, reports and minutes


def test_the_admin_cannot_delete_an_agency(undp, make_person, client_at, facility):
    admin = make_person(is_staff=True, is_superuser=True)
    response = client_at(facility, admin).post(f"/admin/tenants/agency/{undp.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert Agency.objects.filter(code="UNDP").exists()


def test_a_platform_administrator_creates_an_agency_through_the_api(facility, make_person, api_at):
    admin = make_person(is_staff=True)
    response = api_at(facility, admin).post(
        "/api/agencies/", {"code": "UNIDO", "name": "UNIDO", "kind": "partner", "headcount": 4}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["address"] == "http://unido.localhost/"
    assert schema_exists("unido")


def test_a_facility_agent_cannot_create_agencies(facility, ict_agent, api_at):
    response = api_at(facility, ict_agent).post("/api/agencies/", {"code": "UNIDO", "name": "x"}, format="json")
    assert response.status_code == 403
    assert not Agency.objects.filter(code="UNIDO").exists()


def test_the_api_explains_a_bad_agency(facility, make_person, api_at):
    admin = make_person(is_staff=True)
    response = api_at(facility, admin).post(
        "/api/agencies/", {"code": "x y", "name": "Bad", "headcount": -1}, format="json"
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "headcount" in error["fields"]
