"""The Partner Portal app: push's own channel to phones, by standard Web Push (no vendor
account). A phone pairs from the Security page, holds its own signing key, gets each push
request of its person, and answers it with a signed tap (docs/design.md, "The phone app")."""

# ``ApprovalRequest.provider`` of a request that no provider was asked for (the person has
# only the app, or the provider failed): its ``provider_ref`` is the portal's own.
PROVIDER = "app"
