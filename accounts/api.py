"""API: tokens for API clients, and who am I."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from shared_platform import limits
from shared_platform.client_address import ClientAddressScopedRateThrottle
from shared_platform.tenancy import agency_url

from .models import Membership, Role, User
from .selectors import membership_list, role_labels, roles_at
from .services import api_token_issue, api_token_revoke, user_sign_in


class MembershipSerializer(serializers.ModelSerializer[Membership]):
    agency = serializers.SerializerMethodField()
    role_name = serializers.SerializerMethodField()

    class Meta:
        model = Membership
        fields = ["agency", "role", "role_name"]

    def get_agency(self, membership: Membership) -> str | None:
        return membership.agency.code if membership.agency is not None else None

    def get_role_name(self, membership: Membership) -> str:
        return str(Role(membership.role).label)


class UserSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="get_full_name")

    class Meta:
        model = User
        fields = ["id", "email", "name"]


class TokenInputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        max_length=limits.PASSWORD, trim_whitespace=False, style={"input_type": "password"}
    )


class TokenOutputSerializer(serializers.Serializer):  # type: ignore[type-arg]
    token = serializers.CharField()
    user = UserSerializer()


class TokenApi(APIView):
    """POST e-mail and password for a token; DELETE (with the token) to revoke it.

    The token is sent as `Authorization: Token <key>`. Failed attempts are
    throttled exactly like the sign-in page.
    """

    permission_classes = [AllowAny]
    authentication_classes = [TokenAuthentication]
    throttle_scope = "sign_in"

    def get_throttles(self):  # type: ignore[no-untyped-def]
        return [ClientAddressScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(request=TokenInputSerializer, responses={201: TokenOutputSerializer}, auth=[])
    def post(self, request: Request) -> Response:
        payload = TokenInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        user = user_sign_in(
            request=request._request,
            email=payload.validated_data["email"],
            password=payload.validated_data["password"],
            agency=request.tenant,  # type: ignore[attr-defined]
        )
        token = api_token_issue(user=user)
        return Response(TokenOutputSerializer({"token": token.key, "user": user}).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        api_token_revoke(user=request.user)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    """The signed-in person, the address in use, their roles here and all their memberships."""

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "user": UserSerializer(),
                "address": serializers.CharField(),
                "agency": serializers.CharField(allow_null=True),
                "roles_here": serializers.ListField(child=serializers.CharField()),
                "role_names_here": serializers.ListField(child=serializers.CharField()),
                "memberships": MembershipSerializer(many=True),
            },
        )
    )
    def get(self, request: Request) -> Response:
        tenant = request.tenant  # type: ignore[attr-defined]
        roles = roles_at(user=request.user, agency=tenant)
        return Response(
            {
                "user": UserSerializer(request.user).data,  # type: ignore[arg-type]
                "address": agency_url(tenant),
                "agency": None if tenant.is_facility else tenant.code,
                "roles_here": sorted(roles),
                "role_names_here": role_labels(roles),
                "memberships": MembershipSerializer(membership_list(user=request.user), many=True).data,  # type: ignore[arg-type]
            }
        )
