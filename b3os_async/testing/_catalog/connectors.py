"""Connector types (what ``POST /v1/connectors`` accepts, checked against ``dataSchema``) and the
known MCP servers. Properties marked ``writeOnly`` are credentials: stored, never shown again
(``maskedData`` shows ``****`` and at most the last four characters)."""

from __future__ import annotations

from typing import Any

from b3os_async.testing._catalog._shape import Entry, connector_type, schema, string


def _secret(description: str, **extra: Any) -> dict[str, Any]:
    return string(description, writeOnly=True, **extra)


def _pipedream(app: str) -> dict[str, Any]:
    return {"appSlug": app, "authPropName": app, "authType": "oauth"}


_ACCOUNT = schema("accountId", accountId=string("Pipedream connected account id (apn_…)"))

CONNECTOR_TYPES: list[Entry] = [
    connector_type(
        "slack",
        "Slack",
        "Post and read messages in a Slack workspace as the B3OS app.",
        tags=("social", "messaging"),
        domain="slack.com",
        data=schema(
            "botToken",
            botToken=_secret("Bot user OAuth token", pattern="^xoxb-"),
            teamId=string("Workspace id (T…)"),
        ),
        setup="1. Install the B3OS app in your workspace.\n2. Paste the bot token (xoxb-…).",
    ),
    connector_type(
        "telegram-bot",
        "Telegram bot",
        "Send and receive Telegram messages through your own bot.",
        tags=("social", "messaging"),
        domain="telegram.org",
        data=schema(
            "botToken",
            botToken=_secret("Token from @BotFather", pattern="^[0-9]+:[A-Za-z0-9_-]{20,}$"),
        ),
        setup="1. Talk to @BotFather and create a bot.\n2. Paste its token.",
    ),
    connector_type(
        "discord",
        "Discord webhook",
        "Post to a Discord channel through an incoming webhook.",
        tags=("social", "messaging"),
        domain="discord.com",
        data=schema(
            "webhookUrl",
            webhookUrl=_secret(
                "Channel settings > Integrations > Webhooks",
                pattern="^https://(discord|discordapp)\\.com/api/webhooks/",
            ),
        ),
        setup="Create a webhook in the channel's settings and paste its URL.",
    ),
    connector_type(
        "x",
        "X (Twitter)",
        "Post and read on X with your account's credentials.",
        tags=("social",),
        domain="x.com",
        data=schema(
            "accessToken",
            "accessTokenSecret",
            accessToken=_secret("OAuth 1.0a access token"),
            accessTokenSecret=_secret("OAuth 1.0a access token secret"),
            username=string("Account name, without @"),
        ),
        setup="Create a project in the X developer portal and paste the access token pair.",
    ),
    connector_type(
        "gmail",
        "Gmail",
        "Send and read e-mail with your Gmail account (connected through Pipedream).",
        tags=("email", "productivity"),
        domain="gmail.com",
        provider="pipedream",
        provider_config=_pipedream("gmail"),
        data=_ACCOUNT,
        setup="Connect your Google account in the B3OS app; the account id is filled in.",
    ),
    connector_type(
        "google_sheets",
        "Google Sheets",
        "Read and write spreadsheets (connected through Pipedream).",
        tags=("productivity", "spreadsheets"),
        domain="google.com",
        provider="pipedream",
        provider_config=_pipedream("google_sheets"),
        data=_ACCOUNT,
        setup="Connect your Google account in the B3OS app; the account id is filled in.",
    ),
    connector_type(
        "notion",
        "Notion",
        "Create and update Notion pages (connected through Pipedream).",
        tags=("productivity",),
        domain="notion.so",
        provider="pipedream",
        provider_config=_pipedream("notion"),
        data=_ACCOUNT,
        setup="Connect your Notion workspace in the B3OS app.",
    ),
    connector_type(
        "airtable",
        "Airtable",
        "Create and update Airtable records (connected through Pipedream).",
        tags=("productivity", "spreadsheets"),
        domain="airtable.com",
        provider="pipedream",
        provider_config=_pipedream("airtable_oauth"),
        data=_ACCOUNT,
        setup="Connect your Airtable account in the B3OS app.",
    ),
    connector_type(
        "openai",
        "OpenAI",
        "Use your own OpenAI key for AI actions instead of the platform's.",
        tags=("ai",),
        domain="openai.com",
        data=schema("apiKey", apiKey=_secret("API key", pattern="^sk-")),
        setup="Create a key at platform.openai.com and paste it.",
        optional=True,
    ),
    connector_type(
        "wallet",
        "Wallet",
        "The organization's wallets (managed under organizations/{id}/wallets): a node names "
        "one with {type: wallet, id: <walletId>}.",
        tags=("blockchain",),
        data=schema(),
        setup="Wallets are created by B3OS for your organization.",
        default_only=True,
    ),
    connector_type(
        "mcp",
        "MCP server",
        "A Model Context Protocol server your AI actions may call.",
        tags=("ai", "developer"),
        data=schema(
            "serverId",
            "serverUrl",
            serverId=string("Known server id (see /v1/mcp/servers) or custom"),
            serverUrl=string("Server URL", pattern="^https?://"),
            transport=string("Transport", enum=["streamable-http", "sse"]),
            accessToken=_secret("OAuth access token or API key"),
            refreshToken=_secret("OAuth refresh token"),
        ),
        setup="Connect a server with its OAuth URL (/v1/mcp/{serverId}/oauth-url) or a key.",
    ),
]

MCP_SERVERS: list[dict[str, Any]] = [
    {
        "id": "github",
        "name": "GitHub",
        "description": "Repositories, issues and pull requests.",
        "url": "https://api.githubcopilot.com/mcp/",
        "transport": "streamable-http",
        "authType": "oauth",
        "authorizeUrl": "https://github.com/login/oauth/authorize",
    },
    {
        "id": "linear",
        "name": "Linear",
        "description": "Issues, projects and cycles.",
        "url": "https://mcp.linear.app/mcp",
        "transport": "streamable-http",
        "authType": "oauth",
        "authorizeUrl": "https://linear.app/oauth/authorize",
    },
    {
        "id": "notion",
        "name": "Notion",
        "description": "Pages and databases.",
        "url": "https://mcp.notion.com/mcp",
        "transport": "streamable-http",
        "authType": "oauth",
        "authorizeUrl": "https://api.notion.com/v1/oauth/authorize",
    },
    {
        "id": "sentry",
        "name": "Sentry",
        "description": "Errors, issues and releases.",
        "url": "https://mcp.sentry.dev/mcp",
        "transport": "sse",
        "authType": "oauth",
        "authorizeUrl": "https://sentry.io/oauth/authorize/",
    },
    {
        "id": "stripe",
        "name": "Stripe",
        "description": "Customers, payments and invoices.",
        "url": "https://mcp.stripe.com",
        "transport": "streamable-http",
        "authType": "api_key",
    },
    {
        "id": "custom",
        "name": "Custom server",
        "description": "Any MCP server by URL (a placeholder: not listed).",
        "transport": "streamable-http",
        "authType": "api_key",
    },
]
"""Known MCP servers, ``custom`` last (``GET /v1/mcp/servers`` leaves it out)."""
