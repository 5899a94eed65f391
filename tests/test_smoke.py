from tests.harness import Api


def test_health(api: Api) -> None:
    assert api.get("/v1/health").json == {"status": "ok"}


def test_create_login_me(api: Api, make_crm) -> None:
    crm = make_crm("Acme Sales")
    me = api.get("/v1/me", token=crm.token)
    assert me.status == 200, me.json
    print(me.json)
