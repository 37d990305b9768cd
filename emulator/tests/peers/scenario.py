"""A deployment walked through Python clients that openapi-python-client
generated from generated/openapi/*.yaml: a peer client nobody here wrote,
against the emulator.

usage: scenario.py BASE_URL TOKEN   (the generated packages on PYTHONPATH:
account_client, workspace_client, arm_accounts_client)

Exits non-zero, naming the step, when anything answers otherwise than the
documents say.
"""

import sys
import time

import httpx

from account_client import AuthenticatedClient
from account_client.api.images import images_create, images_get
from account_client.api.manifests import manifests_register
from account_client.api.models import models_get, models_list, models_register
from account_client.api.operations import operations_get
from account_client.models import (
    AsyncOperationStatus,
    ErrorResponse,
    Image,
    ImageRequest,
    Manifest,
    Model,
    PaginatedModelList,
)
from arm_accounts_client import AuthenticatedClient as ArmClient
from arm_accounts_client.api.accounts import accounts_create_or_update, accounts_get
from arm_accounts_client.models import ModelManagementAccount
from workspace_client import AuthenticatedClient as WorkspaceClient
from workspace_client.api.models import ml_models_query_by_id, ml_models_register
from workspace_client.models import Model as WorkspaceModel

SUB, RG, ACCOUNT = "sub", "rg", "acct"


def expect(step, condition, detail=""):
    if not condition:
        sys.exit(f"python peer: {step} failed {detail}")
    print(f"python peer: {step}")


def main(base, token):
    client = AuthenticatedClient(base_url=base, token=token)

    first = models_register.sync_detailed(
        SUB, RG, ACCOUNT, client=client,
        body=Model(mime_type="application/zip", name="churn", url="https://store/m1"),
    )
    expect("register a model", first.status_code == 200 and isinstance(first.parsed, Model),
           first.content)
    second = models_register.sync(
        SUB, RG, ACCOUNT, client=client,
        body=Model(mime_type="application/zip", name="churn", url="https://store/m2"),
    )
    expect("register it again: a new version and id",
           isinstance(second, Model) and second.version == first.parsed.version + 1
           and second.id != first.parsed.id)
    got = models_get.sync(SUB, RG, ACCOUNT, second.id, client=client)
    expect("get it by id", isinstance(got, Model) and got.name == "churn")

    page = models_list.sync(SUB, RG, ACCOUNT, client=client, count="1")
    expect("list a page of one with an absolute nextLink",
           isinstance(page, PaginatedModelList) and len(page.value) == 1
           and isinstance(page.next_link, str) and page.next_link.startswith(base))
    following = client.get_httpx_client().get(page.next_link)
    rest = PaginatedModelList.from_dict(following.json())
    expect("follow it", following.status_code == 200 and len(rest.value) == 1
           and rest.value[0].id != page.value[0].id)

    manifest = manifests_register.sync(
        SUB, RG, ACCOUNT, client=client,
        body=Manifest.from_dict({
            "name": "churn-manifest", "driverProgram": "score.py", "assets": [],
            "modelIds": [second.id],
            "targetRuntime": {"runtimeType": "Python", "properties": {}},
        }),
    )
    expect("register a manifest", isinstance(manifest, Manifest) and manifest.id)

    started = images_create.sync_detailed(
        SUB, RG, ACCOUNT, client=client,
        body=ImageRequest.from_dict({
            "name": "churn-image", "computeResourceId": "/c/1",
            "imageType": "Docker", "manifestId": manifest.id,
        }),
    )
    location = started.headers.get("operation-location", "")
    expect("create an image: 202 with Operation-Location",
           started.status_code == 202 and location.startswith(base), location)
    operation_id = location.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    status = None
    for _ in range(100):
        status = operations_get.sync(SUB, RG, ACCOUNT, operation_id, client=client)
        if isinstance(status, AsyncOperationStatus) and str(status.state) in ("Succeeded", "Failed"):
            break
        time.sleep(0.05)
    expect("wait for it to succeed",
           isinstance(status, AsyncOperationStatus) and str(status.state) == "Succeeded",
           status)
    image_id = status.resource_location.split("?")[0].rstrip("/").rsplit("/", 1)[-1]
    image = images_get.sync(SUB, RG, ACCOUNT, image_id, client=client)
    expect("get the image it points at",
           isinstance(image, Image) and image.name == "churn-image"
           and isinstance(image.manifest, Manifest) and image.manifest.id == manifest.id, image)

    # The generated client refuses an unknown enum value itself; send it raw.
    bad = client.get_httpx_client().post(
        f"/api/subscriptions/{SUB}/resourceGroups/{RG}/accounts/{ACCOUNT}/images",
        params={"api-version": "2017-09-01-preview"},
        json={"name": "x", "computeResourceId": "/c/1", "imageType": "Floppy", "manifestId": "m"},
    )
    error = ErrorResponse.from_dict(bad.json())
    expect("an unknown image type is a 400 naming the field",
           bad.status_code == 400 and "imageType" in (error.message or ""), bad.content)
    missing = models_get.sync_detailed(SUB, RG, ACCOUNT, "no-such-model", client=client)
    expect("an unknown id is a 404 ErrorResponse",
           missing.status_code == 404 and isinstance(missing.parsed, ErrorResponse))
    stranger = AuthenticatedClient(base_url=base, token="not-" + token)
    denied = models_get.sync_detailed(SUB, RG, ACCOUNT, second.id, client=stranger)
    expect("a wrong token is a 401", denied.status_code == 401)

    workspace = WorkspaceClient(base_url=base, token=token)
    registered = ml_models_register.sync(
        SUB, RG, "ws", client=workspace,
        body=WorkspaceModel(name="ws-model", url="https://store/w", mime_type="application/json"),
    )
    expect("workspace: register a model", isinstance(registered, WorkspaceModel) and registered.id)
    fetched = ml_models_query_by_id.sync(SUB, RG, "ws", registered.id, client=workspace)
    expect("workspace: get it by id",
           isinstance(fetched, WorkspaceModel) and fetched.name == "ws-model")

    arm = ArmClient(base_url=base, token=token)
    created = accounts_create_or_update.sync_detailed(
        SUB, RG, "python-account", client=arm,
        body=ModelManagementAccount.from_dict({"location": "eastus2", "sku": {"name": "S1"}}),
    )
    expect("arm: create an account", created.status_code in (200, 201), created.content)
    account = accounts_get.sync(SUB, RG, "python-account", client=arm)
    expect("arm: get it", isinstance(account, ModelManagementAccount)
           and account.location == "eastus2")
    print("python peer: scenario passed")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    with httpx.Client():
        main(sys.argv[1], sys.argv[2])
