"""Response shapes of the HubSpot operations hubspot_nb uses, and a checker for JSON bodies.

The shapes are our own compact description of the success responses (200/207) declared in
HubSpot's OpenAPI files (HubSpot/HubSpot-public-api-spec-collection, ``PublicApiSpecs/``; the files
themselves stay out of this repository). Only what the checker needs is kept: property names, JSON
types, ``format: date-time``, ``nullable``, ``required``, and the item shapes of arrays and maps.
Descriptions, examples and enums are left out (HubSpot adds enum values; real data has fieldTypes
the enums do not list), except one-value enums that tell the members of a union apart.

Type notation (strings)::

    str int num bool obj any     JSON types (int: a JSON number without a fraction; num: any number)
    dt                           string with format date-time (ISO 8601 is checked loosely)
    =value                       string equal to value (a one-value enum, used as a union tag)
    [T]                          array of T
    {T}                          object whose values are all T (additionalProperties)
    A|B                          one of (the closest alternative is reported when none fits)
    Name                         a named shape of the same version table (see SHAPES)
    T?                           null allowed (nullable: true)
    T!                           the field is required (only meaningful as a field's type)

A named shape is a dict ``{field: type}``; fields not listed are allowed (HubSpot adds fields).

Versions: ``legacy`` holds v1/v3/v4 (as the toolkit calls them today), ``2026-03`` and ``2026-09``
are built from it by overriding what changed; ``OPERATIONS`` maps (version, method, path template)
to the shape of each success status. Shapes marked *docs* come from HubSpot's legacy reference
pages, because no spec file exists for those APIs (form submissions v1, email events v1,
analytics v2, OAuth v1 token-info pages are in a spec: ``Auth/Oauth/Rollouts/155908/v1``).

    from tests.spec_shapes import problems, response_shape
    problems(body, response_shape("legacy", "GET", "/crm/v3/objects/{objectType}"))
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

# -- shapes: legacy (v3 / v4 / v1) ------------------------------------------------------------------
# Spec files (under PublicApiSpecs/): CRM/Objects/Rollouts/424/v3/objects.json (and Contacts/…/v3),
# CRM/Properties/Rollouts/145899/v3, CRM/Associations/Rollouts/130902/v4, CRM/Crm Owners/Rollouts/
# 146888/v3, CRM/Pipelines/Rollouts/145896/v3, Account/Account Info/Rollouts/144923/v3, Auth/Oauth/
# Rollouts/279897/v3 and 155908/v1, Marketing/Marketing Emails/Rollouts/145892/v3, Marketing/
# Campaigns Public Api/Rollouts/177944/v3, Marketing/Forms/Rollouts/144909/v3.

_PAGING = {
    "NextPage": {"after": "str!", "link": "str"},
    "PreviousPage": {"before": "str!", "link": "str"},
    "ForwardPaging": {"next": "NextPage"},
    "Paging": {"next": "NextPage", "prev": "PreviousPage"},
}

_ERRORS = {
    # one failed input of a batch (207 in v3/v4/2026-03; inside a 200 in 2026-09)
    "StandardError": {
        "status": "str!",
        "category": "str!",
        "message": "str!",
        "context": "{[str]}!",
        "errors": "[ErrorDetail]!",
        "links": "{str}!",
        "id": "str",
        "subCategory": "obj",
    },
    "ErrorDetail": {
        "message": "str!",
        "code": "str",
        "context": "{[str]}",
        "in": "str",
        "subCategory": "str",
    },
}

# The fields every CRM record shape declares, around what differs (SimplePublicObject, …WithAssociations).
_RECORD_HEAD = {
    "id": "str!",
    "properties": "{str}!",  # v3 declares the values plain strings (not nullable)
    "createdAt": "dt!",
    "updatedAt": "dt!",
    "archived": "bool!",
    "archivedAt": "dt",
    "propertiesWithHistory": "{[ValueWithTimestamp]}",
}
_RECORD_TAIL = {"objectWriteTraceId": "str", "url": "str", "warnings": "[PublicObjectWarning]"}


def _batch(results: str, *, with_errors: bool = False) -> dict[str, str]:
    """A batch read's envelope around ``results`` (with ``errors``/``numErrors``: the 207 variant)."""
    shape = {
        "status": "str!",
        "results": results,
        "startedAt": "dt!",
        "completedAt": "dt!",
        "requestedAt": "dt",
        "links": "{str}",
    }
    return {**shape, "errors": "[StandardError]", "numErrors": "int"} if with_errors else shape


_CRM_OBJECTS = {
    "PublicObjectWarning": {"category": "str!", "context": "{str}!", "message": "str!"},
    "ValueWithTimestamp": {
        "value": "str!",
        "timestamp": "dt!",
        "sourceType": "str!",
        "sourceId": "str",
        "sourceLabel": "str",
        "updatedByUserId": "int",
    },
    "AssociatedId": {"id": "str!", "type": "str!"},
    "CollectionResponseAssociatedId": {"results": "[AssociatedId]!", "paging": "Paging"},
    "SimplePublicObject": {**_RECORD_HEAD, **_RECORD_TAIL},
    "SimplePublicObjectWithAssociations": {
        **_RECORD_HEAD,
        "associations": "{CollectionResponseAssociatedId}",
        **_RECORD_TAIL,
    },
    # GET /objects/{t}
    "ObjectList": {"results": "[SimplePublicObjectWithAssociations]!", "paging": "ForwardPaging"},
    # POST /objects/{t}/search
    "ObjectSearch": {"total": "int!", "results": "[SimplePublicObject]!", "paging": "Paging"},
    # POST /objects/{t}/batch/read: 200 and 207
    "ObjectBatch": _batch("[SimplePublicObject]!"),
    "ObjectBatchWithErrors": _batch("[SimplePublicObject]!", with_errors=True),
}

_PROPERTIES = {
    "Option": {
        "label": "str!",
        "value": "str!",
        "hidden": "bool!",
        "description": "str",
        "displayOrder": "int",
    },
    "PropertyModificationMetadata": {
        "archivable": "bool!",
        "readOnlyDefinition": "bool!",
        "readOnlyValue": "bool!",
        "readOnlyOptions": "bool",
    },
    "Property": {
        "name": "str!",
        "label": "str!",
        "type": "str!",
        "fieldType": "str!",
        "groupName": "str!",
        "description": "str!",
        "options": "[Option]!",
        "archived": "bool",
        "archivedAt": "dt",
        "calculated": "bool",
        "calculationFormula": "str",
        "createdAt": "dt",
        "updatedAt": "dt",
        "createdUserId": "str",
        "updatedUserId": "str",
        "currencyPropertyName": "str",  # gone in 2026-09
        "dataSensitivity": "str",
        "dateDisplayHint": "str",
        "displayOrder": "int",
        "externalOptions": "bool",
        "formField": "bool",
        "hasUniqueValue": "bool",
        "hidden": "bool",
        "hubspotDefined": "bool",
        "modificationMetadata": "PropertyModificationMetadata",
        "numberDisplayHint": "str",  # gone in 2026-09
        "referencedObjectType": "str",
        "sensitiveDataCategories": "[str]",
        "showCurrencySymbol": "bool",
        "textDisplayHint": "str",  # gone in 2026-09
    },
    "PropertyList": {"results": "[Property]!"},
    "PropertyGroup": {"name": "str!", "label": "str!", "archived": "bool!", "displayOrder": "int!"},
    "PropertyGroupList": {"results": "[PropertyGroup]!"},
}

_ASSOCIATIONS = {  # v4
    "AssociationSpecWithLabel": {
        "category": "str!",
        "typeId": "int!",
        "label": "str",
        "fromObjectTypeId": "str",  # gone in 2026-09
        "toObjectTypeId": "str",  # gone in 2026-09
    },
    "MultiAssociatedObjectWithLabel": {
        "toObjectId": "str!",
        "associationTypes": "[AssociationSpecWithLabel]!",
    },
    "PublicObjectId": {"id": "str!"},
    "PublicAssociationMultiWithLabel": {
        "from": "PublicObjectId!",
        "to": "[MultiAssociatedObjectWithLabel]!",
        "paging": "Paging",
    },
    "AssociationBatch": _batch("[PublicAssociationMultiWithLabel]!"),
    "AssociationBatchWithErrors": _batch("[PublicAssociationMultiWithLabel]!", with_errors=True),
    # GET /crm/v4/objects/{t}/{id}/associations/{to}
    "RecordAssociations": {"results": "[MultiAssociatedObjectWithLabel]!", "paging": "ForwardPaging"},
}

_META = {
    "PublicTeam": {"id": "str!", "name": "str!", "primary": "bool!"},
    "PublicOwner": {
        "id": "str!",
        "type": "str!",
        "archived": "bool!",
        "createdAt": "dt!",
        "updatedAt": "dt!",
        "email": "str",
        "firstName": "str",
        "lastName": "str",
        "userId": "int",
        "userIdIncludingInactive": "int",
        "teams": "[PublicTeam]",
    },
    "OwnerList": {"results": "[PublicOwner]!", "paging": "ForwardPaging"},
    "PipelineStage": {
        "id": "str!",
        "label": "str!",
        "displayOrder": "int!",
        "metadata": "{str}!",
        "archived": "bool!",
        "createdAt": "dt!",
        "updatedAt": "dt!",
        "archivedAt": "dt",
        "writePermissions": "str",  # required from 2026-03
    },
    "Pipeline": {
        "id": "str!",
        "label": "str!",
        "displayOrder": "int!",
        "stages": "[PipelineStage]!",
        "archived": "bool!",
        "createdAt": "dt!",
        "updatedAt": "dt!",
        "archivedAt": "dt",
    },
    "PipelineList": {"results": "[Pipeline]!"},
    "PipelineStageList": {"results": "[PipelineStage]!"},
    # GET /account-info/v3/details (all fields required)
    "PortalInformation": {
        "portalId": "int!",
        "accountType": "str!",
        "timeZone": "str!",
        "companyCurrency": "str!",
        "additionalCurrencies": "[str]!",
        "utcOffset": "str!",
        "utcOffsetMilliseconds": "int!",
        "uiDomain": "str!",
        "dataHostingLocation": "str!",
    },
}


# Who a refresh token belongs to: the same fields in the v1 and the form-based introspection.
_REFRESH_TOKEN_OWNER = {
    "client_id": "str!",
    "hub_id": "int!",
    "user_id": "int!",
    "scopes": "[str]!",
    "hub_domain": "str",
    "user": "str",
}

_OAUTH = {
    # POST /oauth/v3|2026-03|v1/token: one of the two (token_use tells them apart)
    "AccessTokenResponse": {
        "access_token": "str!",
        "refresh_token": "str!",
        "expires_in": "int!",
        "token_type": "str!",
        "token_use": "=access_token!",
        "hub_id": "int",
        "user_id": "int",
        "scopes": "[str]",
        "id_token": "str",
    },
    "ClientCredentialsTokenResponse": {
        "access_token": "str!",
        "expires_in": "int!",
        "token_type": "str!",
        "token_use": "=client_credentials!",
        "hub_id": "int",
        "user_id": "int",
        "scopes": "[str]",
        "id_token": "str",
    },
    "TokenResponse": {"__union__": "AccessTokenResponse|ClientCredentialsTokenResponse"},
    "SignedAccessToken": {
        "appId": "int!",
        "appInstallId": "str!",
        "audience": "str!",
        "expiresAt": "int!",
        "hubId": "int!",
        "hublet": "str!",
        "installingUserId": "int!",
        "isPrivateDistribution": "bool!",
        "isServiceAccount": "bool!",
        "isUserLevel": "bool!",
        "newSignature": "str!",
        "scopeToScopeGroupPks": "str!",
        "scopes": "str!",
        "signature": "str!",
        "trialScopeToScopeGroupPks": "str!",
        "trialScopes": "str!",
        "userId": "int!",
    },
    # POST /oauth/v3|2026-03/token/introspect
    "AccessTokenInfo": {
        "active": "bool!",
        "token": "str!",
        "token_type": "str!",
        "token_use": "=access_token!",
        "app_id": "int!",
        "client_id": "str!",
        "hub_id": "int!",
        "user_id": "int!",
        "expires_in": "int!",
        "scopes": "[str]!",
        "is_private_distribution": "bool!",
        "signed_access_token": "SignedAccessToken!",
        "hub_domain": "str",
        "user": "str",
    },
    "RefreshTokenInfo": {
        "active": "bool!",
        "token": "str!",
        "token_type": "str!",
        "token_use": "=refresh_token!",
        "app_id": "int!",
        **_REFRESH_TOKEN_OWNER,
    },
    "TokenInfo": {"__union__": "AccessTokenInfo|RefreshTokenInfo"},
    # GET /oauth/v1/access-tokens/{t} and /refresh-tokens/{t} (Auth/Oauth/Rollouts/155908/v1)
    "V1AccessTokenInfo": {
        "token": "str!",
        "token_type": "str!",
        "app_id": "int!",
        "hub_id": "int!",
        "user_id": "int!",
        "expires_in": "int!",
        "scopes": "[str]!",
        "hub_domain": "str",
        "user": "str",
        "is_private_distribution": "bool",
        "signed_access_token": "SignedAccessToken",
    },
    "V1RefreshTokenInfo": {"token": "str!", "token_type": "str!", **_REFRESH_TOKEN_OWNER},
}

_EMAILS = {
    "EmailStatisticsData": {
        "counters": "{int}!",
        "ratios": "{num}!",
        "deviceBreakdown": "{{int}}!",
        "qualifierStats": "{{int}}!",
    },
    "PublicEmailRecipients": {"include": "[str]", "exclude": "[str]"},
    "PublicEmailToDetails": {
        "contactIds": "PublicEmailRecipients",
        "contactIlsLists": "PublicEmailRecipients",
        "contactLists": "PublicEmailRecipients",
        "limitSendFrequency": "bool",
        "suppressGraymail": "bool",
    },
    "PublicEmailFromDetails": {"fromName": "str", "replyTo": "str", "customReplyTo": "str"},
    "PublicEmailSubscriptionDetails": {
        "officeLocationId": "str",
        "preferencesGroupId": "str",
        "subscriptionId": "str",
        "subscriptionName": "str",
    },
    "PublicEmailTestingDetails": {
        "abSampleSizeDefault": "str",
        "abSamplingDefault": "str",
        "abStatus": "str",
        "abSuccessMetric": "str",
        "abTestPercentage": "int",
        "hoursToWait": "int",
        "isAbVariation": "bool",  # required from 2026-03
        "testId": "str",
    },
    "PublicWebversionDetails": {
        "domain": "str",
        "enabled": "bool",
        "expiresAt": "dt",
        "isPageRedirected": "bool",
        "metaDescription": "str",
        "pageExpiryEnabled": "bool",
        "redirectToPageId": "str",
        "redirectToUrl": "str",
        "slug": "str",
        "title": "str",
        "url": "str",
    },
    "PublicRssEmailDetails": {
        "blogEmailType": "str",
        "blogImageMaxWidth": "int",
        "blogLayout": "str",
        "hubspotBlogId": "str",
        "maxEntries": "int",
        "rssEntryTemplate": "str",
        "timing": "{obj}",
        "url": "str",
        "useHeadlineAsSubject": "bool",
    },
    # content.styleSettings and its font/button/divider objects are declared too; kept shallow here
    "PublicEmailContent": {
        "flexAreas": "{obj}",
        "plainTextVersion": "str",
        "smartFields": "{obj}",
        "styleSettings": "obj",
        "templatePath": "str",
        "themeSettingsValues": "{obj}",
        "widgetContainers": "{obj}",
        "widgets": "{obj}",
    },
    "PublicEmail": {
        "isAb": "bool!",  # the only required field
        "id": "str",
        "name": "str",
        "subject": "str",
        "state": "str",
        "type": "str",
        "subcategory": "str",
        "language": "str",
        "activeDomain": "str",
        "archived": "bool",
        "businessUnitId": "str",
        "campaign": "str",
        "campaignName": "str",
        "campaignUtm": "str",
        "allEmailCampaignIds": "[str]",
        "primaryEmailCampaignId": "str",
        "emailCampaignGroupId": "str",
        "clonedFrom": "str",
        "content": "PublicEmailContent",
        "createdAt": "dt",
        "createdById": "str",
        "updatedAt": "dt",
        "updatedById": "str",
        "deletedAt": "dt",
        "publishDate": "dt",
        "publishedAt": "dt",
        "unpublishedAt": "dt",
        "publishedByEmail": "str",
        "publishedById": "str",
        "publishedByName": "str",
        "emailTemplateMode": "str",
        "feedbackSurveyId": "str",
        "folderId": "int",
        "folderIdV2": "int",
        "from": "PublicEmailFromDetails",
        "isPublished": "bool",
        "isTransactional": "bool",
        "jitterSendTime": "bool",
        "previewKey": "str",
        "rssData": "PublicRssEmailDetails",
        "sendOnPublish": "bool",
        "stats": "EmailStatisticsData",
        "subscriptionDetails": "PublicEmailSubscriptionDetails",
        "teamsWithAccess": "[str]",
        "usersWithAccess": "[str]",
        "testing": "PublicEmailTestingDetails",
        "to": "PublicEmailToDetails",
        "webversion": "PublicWebversionDetails",
        "workflowNames": "[str]",
    },
    "EmailList": {"total": "int!", "results": "[PublicEmail]!", "paging": "Paging"},
    # GET …/statistics/list
    "AggregateEmailStatistics": {
        "aggregate": "EmailStatisticsData",  # these three required from 2026-03
        "campaignAggregations": "{EmailStatisticsData}",
        "emails": "[int]",
    },
    # GET …/statistics/histogram
    "Interval": {"start": "dt!", "end": "dt!"},
    "EmailStatisticInterval": {"interval": "Interval!", "aggregations": "EmailStatisticsData!"},
    "EmailHistogram": {"total": "int!", "results": "[EmailStatisticInterval]!", "paging": "Paging"},
}

_CAMPAIGN = {
    "id": "str!",
    "properties": "{str}!",
    "createdAt": "dt!",
    "updatedAt": "dt!",
    "businessUnits": "[PublicBusinessUnit]!",
}
_CAMPAIGNS = {
    "PublicBusinessUnit": {"id": "int!"},
    "PublicCampaign": {**_CAMPAIGN},
    "CampaignList": {"total": "int!", "results": "[PublicCampaign]!", "paging": "Paging"},
    "PublicCampaignAsset": {"id": "str!", "name": "str", "metrics": "{num}"},
    "CampaignAssetPage": {"results": "[PublicCampaignAsset]!", "paging": "Paging"},
    "PublicCampaignWithAssets": {**_CAMPAIGN, "assets": "{CampaignAssetPage}!"},
    # GET …/{guid}/assets/{type}
    "CampaignAssetList": {"results": "[PublicCampaignAsset]!", "paging": "ForwardPaging"},
    # GET …/{guid}/reports/metrics
    "MetricsCounters": {
        "influencedContacts": "int!",
        "newContactsFirstTouch": "int!",
        "newContactsLastTouch": "int!",
        "sessions": "int!",
    },
    # GET …/{guid}/reports/revenue (nothing required)
    "RevenueAttributionAggregate": {
        "contactsNumber": "int",
        "dealsNumber": "int",
        "dealAmount": "num",
        "revenueAmount": "num",
        "currencyCode": "str",
    },
}

# Forms v3 (identical in 2026-09-beta). Every field kind shares _FIELD; fieldType is the union tag.
_FIELD = {
    "name": "str!",
    "label": "str!",
    "objectTypeId": "str!",
    "hidden": "bool!",
    "required": "bool!",
    "dependentFields": "[DependentField]!",
    "description": "str",
}
_TEXTISH = {**_FIELD, "defaultValue": "str", "placeholder": "str"}
_CHOICE = {**_FIELD, "defaultValues": "[str]!", "options": "[EnumeratedFieldOption]!"}
_FIELD_KINDS = {
    "EmailField": {**_TEXTISH, "fieldType": "=email!", "validation": "EmailFieldValidation!"},
    "PhoneField": {
        **_TEXTISH,
        "fieldType": "=phone!",
        "useCountryCodeSelect": "bool!",
        "validation": "PhoneFieldValidation!",
    },
    "MobilePhoneField": {**_TEXTISH, "fieldType": "=mobile_phone!", "validation": "PhoneFieldValidation!"},
    "SingleLineTextField": {**_TEXTISH, "fieldType": "=single_line_text!"},
    "MultiLineTextField": {**_TEXTISH, "fieldType": "=multi_line_text!"},
    "NumberField": {**_TEXTISH, "fieldType": "=number!", "validation": "NumberFieldValidation"},
    "SingleCheckboxField": {**_FIELD, "fieldType": "=single_checkbox!", "defaultValue": "str"},
    "MultipleCheckboxesField": {**_CHOICE, "fieldType": "=multiple_checkboxes!"},
    "DropdownField": {**_CHOICE, "fieldType": "=dropdown!", "placeholder": "str"},
    "RadioField": {**_CHOICE, "fieldType": "=radio!", "placeholder": "str"},
    "DatepickerField": {**_TEXTISH, "fieldType": "=datepicker!"},
    "FileField": {**_TEXTISH, "fieldType": "=file!", "allowMultipleFiles": "bool!"},
    "PaymentLinkRadioField": {**_CHOICE, "fieldType": "=payment_link_radio!"},
}
_FORMS = {
    **_FIELD_KINDS,
    "FormField": {"__union__": "|".join(_FIELD_KINDS)},
    "EnumeratedFieldOption": {"label": "str!", "value": "str!", "displayOrder": "int!", "description": "str"},
    "EmailFieldValidation": {"blockedEmailDomains": "[str]!", "useDefaultBlockList": "bool!"},
    "PhoneFieldValidation": {"minAllowedDigits": "int!", "maxAllowedDigits": "int!"},
    "NumberFieldValidation": {"minAllowedDigits": "int!", "maxAllowedDigits": "int!"},
    "DependentFieldFilter": {
        "operator": "str!",
        "value": "str!",
        "values": "[str]!",
        "rangeStart": "str!",
        "rangeEnd": "str!",
    },
    "DependentField": {"dependentCondition": "DependentFieldFilter!", "dependentField": "FormField!"},
    "FieldGroup": {"groupType": "str!", "richTextType": "str!", "fields": "[FormField]!", "richText": "str"},
    "LifecycleStage": {"objectTypeId": "str!", "value": "str!"},
    "FormPostSubmitAction": {"type": "str!", "value": "str!"},
    "FormConfiguration": {
        "language": "str!",
        "createNewContactForNewEmail": "bool!",
        "editable": "bool!",
        "allowLinkToResetKnownValues": "bool!",
        "archivable": "bool!",
        "cloneable": "bool!",
        "notifyContactOwner": "bool!",
        "notifyRecipients": "[str]!",
        "postSubmitAction": "FormPostSubmitAction!",
        "prePopulateKnownValues": "bool!",
        "recaptchaEnabled": "bool!",
        "lifecycleStages": "[LifecycleStage]!",
        "embedType": "str",
    },
    "FormStyle": {  # all twelve required, all strings
        "fontFamily": "str!",
        "backgroundWidth": "str!",
        "labelTextColor": "str!",
        "labelTextSize": "str!",
        "helpTextColor": "str!",
        "helpTextSize": "str!",
        "legalConsentTextColor": "str!",
        "legalConsentTextSize": "str!",
        "submitColor": "str!",
        "submitFontColor": "str!",
        "submitSize": "str!",
        "submitAlignment": "str!",
    },
    "FormDisplayOptions": {
        "renderRawHtml": "bool!",
        "theme": "str!",
        "submitButtonText": "str!",
        "style": "FormStyle!",
        "cssClass": "str",
    },
    "LegalConsentCheckbox": {"label": "str!", "required": "bool!", "subscriptionTypeId": "int!"},
    "LegalConsentNone": {"type": "=none!"},
    "LegalConsentLegitimateInterest": {
        "type": "=legitimate_interest!",
        "lawfulBasis": "str!",
        "privacyText": "str!",
        "subscriptionTypeIds": "[int]!",
    },
    "LegalConsentExplicit": {
        "type": "=explicit_consent_to_process!",
        "privacyText": "str!",
        "communicationsCheckboxes": "[LegalConsentCheckbox]!",
        "communicationConsentText": "str",
        "consentToProcessCheckboxLabel": "str",
        "consentToProcessFooterText": "str",
        "consentToProcessText": "str",
    },
    "LegalConsentImplicit": {
        "type": "=implicit_consent_to_process!",
        "privacyText": "str!",
        "communicationsCheckboxes": "[LegalConsentCheckbox]!",
        "communicationConsentText": "str",
        "consentToProcessText": "str",
    },
    "HubSpotFormDefinition": {
        "id": "str!",
        "name": "str!",
        "formType": "=hubspot!",  # the only member of FormDefinitionBase's oneOf
        "createdAt": "dt!",
        "updatedAt": "dt!",
        "archived": "bool!",
        "archivedAt": "dt",
        "fieldGroups": "[FieldGroup]!",
        "configuration": "FormConfiguration!",
        "displayOptions": "FormDisplayOptions!",
        "legalConsentOptions": (
            "LegalConsentNone|LegalConsentLegitimateInterest|LegalConsentExplicit|LegalConsentImplicit!"
        ),
    },
    "FormList": {"results": "[HubSpotFormDefinition]!", "paging": "ForwardPaging"},
}

# No spec file: shapes from HubSpot's legacy reference pages (docs). Required marks follow the
# pages' "required" labels where they give them; otherwise only the fields the toolkit relies on.
_LEGACY_DOCS = {
    # GET /form-integrations/v1/submissions/forms/{guid}   (DOC legacy/marketing/forms/v1/…)
    "SubmissionValue": {"name": "str!", "value": "str!", "objectTypeId": "str"},
    "FormSubmission": {
        "submittedAt": "int!",
        "values": "[SubmissionValue]!",
        "pageUrl": "str",
        "conversionId": "str",
    },
    "SubmissionList": {"results": "[FormSubmission]!", "paging": "ForwardPaging"},
    # GET /email/public/v1/events   (DOC legacy/email-analytics-v1/events; ids are numbers here)
    "EmailEventSentBy": {"id": "str!", "created": "int"},
    "EmailEvent": {
        "id": "str!",
        "created": "int!",
        "type": "str!",
        "recipient": "str!",
        "portalId": "int!",
        "appId": "int!",
        "appName": "str!",
        "emailCampaignId": "int!",
        "sentBy": "EmailEventSentBy",
        "subject": "str",
        "response": "str",
        "smtpId": "str",
        "sendId": "str",
        "hmid": "str",
        "userAgent": "str",
        "browser": "obj",
        "location": "obj",
    },
    "EmailEventList": {"events": "[EmailEvent]!", "hasMore": "bool!", "offset": "str"},
    # GET /email/public/v1/campaigns/by-id
    "EmailCampaignRef": {"id": "int!", "appId": "int", "appName": "str", "lastUpdatedTime": "int"},
    "EmailCampaignIdList": {"campaigns": "[EmailCampaignRef]!", "hasMore": "bool!", "offset": "str"},
    # GET /email/public/v1/campaigns/{id}
    "EmailCampaign": {
        "id": "int!",
        "appId": "int",
        "appName": "str",
        "contentId": "int",
        "name": "str",
        "subject": "str",
        "type": "str",
        "numIncluded": "int",
        "numQueued": "int",
        "counters": "{int}",
        "lastUpdatedTime": "int",
    },
    # GET /analytics/v2/reports/{breakdown}/total (and /summarize/total): one block of totals;
    # daily|weekly|monthly: an object keyed by date, each a list of breakdown rows (checked loosely)
    "AnalyticsBreakdownRow": {"breakdown": "str!"},
    "AnalyticsTotals": {
        "breakdowns": "[AnalyticsBreakdownRow]",
        "total": "int",
        "offset": "int",
        "totals": "obj",
    },
    "AnalyticsByPeriod": {"__map__": "[obj]|obj"},
}

# Routes third-party extractors call (v1/v2/v3 families; HubSpot ends them all in September 2027).
_EXTRACTORS = {
    # GET /crm/v3/schemas   (CRM/Schemas/Rollouts/145900/v3/schemas.json)
    "ObjectSchema": {
        "id": "str!",
        "name": "str!",
        "labels": "obj!",
        "objectTypeId": "str!",
        "fullyQualifiedName": "str!",
        "properties": "[obj]!",
        "associations": "[obj]!",
        "requiredProperties": "[str]!",
        "searchableProperties": "[str]!",
        "primaryDisplayProperty": "str",
    },
    "ObjectSchemaList": {"results": "[ObjectSchema]!"},
    # POST /crm/v3/lists/search   (CRM/Lists/Rollouts/144891/v3/lists.json, ListSearchResponse)
    "ListSearchResponse": {"lists": "[obj]!", "hasMore": "bool!", "offset": "int!", "total": "int!"},
    # GET /settings/v3/users/   (Settings/User Provisioning/Rollouts/144927/v3/userProvisioning.json)
    "PublicUser": {
        "id": "str!",
        "email": "str!",
        "firstName": "str",
        "lastName": "str",
        "roleIds": "[str]",
        "primaryTeamId": "str?",
        "secondaryTeamIds": "[str]",
        "superAdmin": "bool!",
    },
    "UserList": {"results": "[PublicUser]!", "paging": "ForwardPaging"},
    # GET /settings/v3/users/teams   (Settings/User Provisioning/Rollouts/144927/v3/userProvisioning.json)
    "SettingsTeam": {"id": "str!", "name": "str!", "userIds": "[str]!", "secondaryUserIds": "[str]!"},
    "TeamList": {"results": "[SettingsTeam]!"},
    # GET /properties/v2/{objectType}/properties   (HubSpot's legacy docs (no spec in the collection))
    "PropertyOptionV2": {"label": "str!", "value": "str!", "displayOrder": "int", "hidden": "bool"},
    "PropertyV2": {
        "name": "str!",
        "label": "str!",
        "description": "str",
        "groupName": "str!",
        "type": "str!",
        "fieldType": "str!",
        "options": "[PropertyOptionV2]!",
        "displayOrder": "int",
        "hidden": "bool",
        "calculated": "bool",
        "deleted": "bool?",
        "hubspotDefined": "bool?",
        "formField": "bool",
        "readOnlyValue": "bool",
        "createdAt": "int?",
        "updatedAt": "int?",
    },
    "PropertyV2List": {"__union__": "[PropertyV2]"},
    # GET /crm-pipelines/v1/pipelines/{objectType}   (HubSpot's legacy docs (no spec in the collection))
    "PipelineStageV1": {
        "stageId": "str!",
        "label": "str!",
        "displayOrder": "int!",
        "active": "bool",
        "metadata": "obj",
    },
    "PipelineV1": {
        "pipelineId": "str!",
        "label": "str!",
        "displayOrder": "int!",
        "active": "bool",
        "objectType": "str",
        "stages": "[PipelineStageV1]!",
    },
    "PipelineV1List": {"results": "[PipelineV1]!"},
    # GET /engagements/v1/engagements/paged   (HubSpot's legacy docs (no spec in the collection))
    "EngagementV1Core": {
        "id": "int!",
        "portalId": "int",
        "type": "str!",
        "createdAt": "int!",
        "lastUpdated": "int",
        "ownerId": "int?",
        "timestamp": "int",
    },
    "EngagementV1": {
        "engagement": "EngagementV1Core!",
        "associations": "{[int]}!",
        "attachments": "[obj]",
        "metadata": "obj!",
    },
    "EngagementV1Page": {"results": "[EngagementV1]!", "hasMore": "bool!", "offset": "int!"},
    # GET /email/public/v1/campaigns   (HubSpot's legacy docs (no spec in the collection))
    "EmailCampaignPage": {"campaigns": "[EmailCampaignRef]!", "hasMore": "bool!", "offset": "str"},
    # GET /email/public/v1/subscriptions   (HubSpot's legacy docs (no spec in the collection))
    "SubscriptionDefinition": {
        "id": "int!",
        "name": "str!",
        "description": "str!",
        "active": "bool!",
        "portalId": "int",
        "internal": "bool",
        "category": "str",
        "channel": "str",
    },
    "SubscriptionDefinitionList": {"subscriptionDefinitions": "[SubscriptionDefinition]!"},
    # GET /email/public/v1/subscriptions/timeline   (HubSpot's legacy docs (no spec in the collection))
    "SubscriptionTimeline": {"timeline": "[obj]!", "hasMore": "bool!", "offset": "str"},
    # GET /forms/v2/forms   (HubSpot's legacy docs (no spec in the collection))
    "FormFieldV2": {
        "name": "str!",
        "label": "str",
        "type": "str",
        "fieldType": "str!",
        "required": "bool",
        "hidden": "bool",
    },
    "FormFieldGroupV2": {"fields": "[FormFieldV2]!", "default": "bool", "isSmartGroup": "bool"},
    "FormV2": {
        "portalId": "int!",
        "guid": "str!",
        "name": "str!",
        "action": "str",
        "method": "str",
        "submitText": "str",
        "createdAt": "int!",
        "updatedAt": "int!",
        "formFieldGroups": "[FormFieldGroupV2]!",
    },
    "FormV2List": {"__union__": "[FormV2]"},
    # GET /marketing-emails/v1/emails/with-statistics   (HubSpot's legacy docs (no spec in the collection))
    "MarketingEmailV1": {
        "id": "int!",
        "portalId": "int",
        "name": "str!",
        "subject": "str",
        "created": "int",
        "updated": "int",
        "stats": "obj",
    },
    "MarketingEmailV1Page": {
        "objects": "[MarketingEmailV1]!",
        "total": "int!",
        "offset": "int!",
        "limit": "int!",
    },
    # GET /automation/v3/workflows   (HubSpot's legacy docs (no spec in the collection))
    "WorkflowV3": {
        "id": "int!",
        "name": "str!",
        "type": "str",
        "enabled": "bool",
        "insertedAt": "int",
        "updatedAt": "int",
    },
    "WorkflowV3List": {"workflows": "[WorkflowV3]!"},
}

LEGACY: dict[str, dict[str, str]] = {
    **_PAGING,
    **_ERRORS,
    **_CRM_OBJECTS,
    **_PROPERTIES,
    **_ASSOCIATIONS,
    **_META,
    **_OAUTH,
    **_EMAILS,
    **_CAMPAIGNS,
    **_FORMS,
    **_LEGACY_DOCS,
    **_EXTRACTORS,
}


def _without(shape: dict[str, str], *names: str) -> dict[str, str]:
    return {k: v for k, v in shape.items() if k not in names}


def _required(shape: dict[str, str], *names: str) -> dict[str, str]:
    return {k: (v if not (k in names and not v.endswith("!")) else v + "!") for k, v in shape.items()}


def _optional(shape: dict[str, str], *names: str) -> dict[str, str]:
    return {k: (v[:-1] if k in names and v.endswith("!") else v) for k, v in shape.items()}


# -- 2026-03: the legacy shapes plus a few newly required fields --------------------------------------
V2026_03: dict[str, dict[str, str]] = {
    **LEGACY,
    "PropertyGroup": _optional(LEGACY["PropertyGroup"], "displayOrder"),
    "PipelineStage": _required(LEGACY["PipelineStage"], "writePermissions"),
    "PublicEmailTestingDetails": _required(LEGACY["PublicEmailTestingDetails"], "isAbVariation"),
    "AggregateEmailStatistics": _required(
        LEGACY["AggregateEmailStatistics"], "aggregate", "campaignAggregations", "emails"
    ),
}

# -- 2026-09 ------------------------------------------------------------------------------------------
_nullable_props = {"properties": "{str?}!"}
V2026_09: dict[str, dict[str, str]] = {
    **V2026_03,
    # property values nullable; no record-level warnings
    "SimplePublicObject": {**_without(LEGACY["SimplePublicObject"], "warnings"), **_nullable_props},
    "SimplePublicObjectWithAssociations": {
        **_without(LEGACY["SimplePublicObjectWithAssociations"], "warnings"),
        **_nullable_props,
    },
    # no 207: partial failures come back as a 200 carrying errors/numErrors
    "ObjectBatch": LEGACY["ObjectBatchWithErrors"],
    "AssociationBatch": LEGACY["AssociationBatchWithErrors"],
    "AssociationSpecWithLabel": _without(
        LEGACY["AssociationSpecWithLabel"], "fromObjectTypeId", "toObjectTypeId"
    ),
    "Property": _without(LEGACY["Property"], "currencyPropertyName", "numberDisplayHint", "textDisplayHint"),
    # the token endpoint declares no 200 body; introspection is a bare {active}
    "TokenInfo": {"active": "bool!"},
    # campaigns: business-unit id int64 -> int32 (same JSON type)
}

SHAPES: dict[str, dict[str, dict[str, str]]] = {"legacy": LEGACY, "2026-03": V2026_03, "2026-09": V2026_09}

# -- operations: (version, method, path template) -> {status: shape name} ------------------------------
_LEGACY_OPS = {
    ("GET", "/crm/v3/objects/{objectType}"): {200: "ObjectList"},
    ("GET", "/crm/v3/objects/{objectType}/{objectId}"): {200: "SimplePublicObjectWithAssociations"},
    ("POST", "/crm/v3/objects/{objectType}/batch/read"): {200: "ObjectBatch", 207: "ObjectBatchWithErrors"},
    ("POST", "/crm/v3/objects/{objectType}/search"): {200: "ObjectSearch"},
    ("GET", "/crm/v3/properties/{objectType}"): {200: "PropertyList"},
    ("GET", "/crm/v3/properties/{objectType}/{propertyName}"): {200: "Property"},
    ("GET", "/crm/v3/properties/{objectType}/groups"): {200: "PropertyGroupList"},
    ("POST", "/crm/v4/associations/{fromObjectType}/{toObjectType}/batch/read"): {
        200: "AssociationBatch",
        207: "AssociationBatchWithErrors",
    },
    ("GET", "/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}"): {
        200: "RecordAssociations"
    },
    ("GET", "/crm/v3/owners"): {200: "OwnerList"},
    ("GET", "/crm/v3/owners/{ownerId}"): {200: "PublicOwner"},
    ("GET", "/crm/v3/pipelines/{objectType}"): {200: "PipelineList"},
    ("GET", "/crm/v3/pipelines/{objectType}/{pipelineId}"): {200: "Pipeline"},
    ("GET", "/crm/v3/pipelines/{objectType}/{pipelineId}/stages"): {200: "PipelineStageList"},
    ("GET", "/account-info/v3/details"): {200: "PortalInformation"},
    ("POST", "/oauth/v3/token"): {200: "TokenResponse"},
    ("POST", "/oauth/v3/token/introspect"): {200: "TokenInfo"},
    ("POST", "/oauth/v3/token/revoke"): {},  # no success body declared
    ("POST", "/oauth/v1/token"): {200: "TokenResponse"},
    ("GET", "/oauth/v1/access-tokens/{token}"): {200: "V1AccessTokenInfo"},
    ("GET", "/oauth/v1/refresh-tokens/{token}"): {200: "V1RefreshTokenInfo"},
    ("DELETE", "/oauth/v1/refresh-tokens/{token}"): {},  # 204, no body
    ("GET", "/marketing/v3/emails"): {200: "EmailList"},
    ("GET", "/marketing/v3/emails/{emailId}"): {200: "PublicEmail"},
    ("GET", "/marketing/v3/emails/statistics/list"): {200: "AggregateEmailStatistics"},
    ("GET", "/marketing/v3/emails/statistics/histogram"): {200: "EmailHistogram"},
    ("GET", "/marketing/v3/campaigns"): {200: "CampaignList"},
    ("GET", "/marketing/v3/campaigns/{campaignGuid}"): {200: "PublicCampaignWithAssets"},
    ("GET", "/marketing/v3/campaigns/{campaignGuid}/assets/{assetType}"): {200: "CampaignAssetList"},
    ("GET", "/marketing/v3/campaigns/{campaignGuid}/reports/metrics"): {200: "MetricsCounters"},
    ("GET", "/marketing/v3/campaigns/{campaignGuid}/reports/revenue"): {200: "RevenueAttributionAggregate"},
    ("GET", "/marketing/v3/forms"): {200: "FormList"},
    ("GET", "/marketing/v3/forms/{formId}"): {200: "HubSpotFormDefinition"},
    # docs only
    ("GET", "/form-integrations/v1/submissions/forms/{formGuid}"): {200: "SubmissionList"},
    ("GET", "/email/public/v1/events"): {200: "EmailEventList"},
    ("GET", "/email/public/v1/campaigns/by-id"): {200: "EmailCampaignIdList"},
    ("GET", "/email/public/v1/campaigns/{campaignId}"): {200: "EmailCampaign"},
    ("GET", "/analytics/v2/reports/{breakdown}/total"): {200: "AnalyticsTotals"},
    ("GET", "/analytics/v2/reports/{breakdown}/{period}"): {200: "AnalyticsByPeriod"},
    ("GET", "/analytics/v2/reports/{breakdown}/summarize/{period}"): {200: "AnalyticsTotals"},
    # routes third-party extractors call
    ("GET", "/crm/v3/schemas"): {200: "ObjectSchemaList"},
    ("POST", "/crm/v3/lists/search"): {200: "ListSearchResponse"},
    ("GET", "/settings/v3/users"): {200: "UserList"},
    ("GET", "/settings/v3/users/teams"): {200: "TeamList"},
    ("GET", "/properties/v2/{objectType}/properties"): {200: "PropertyV2List"},
    ("GET", "/crm-pipelines/v1/pipelines/{objectType}"): {200: "PipelineV1List"},
    ("GET", "/engagements/v1/engagements/paged"): {200: "EngagementV1Page"},
    ("GET", "/email/public/v1/campaigns"): {200: "EmailCampaignPage"},
    ("GET", "/email/public/v1/subscriptions"): {200: "SubscriptionDefinitionList"},
    ("GET", "/email/public/v1/subscriptions/timeline"): {200: "SubscriptionTimeline"},
    ("GET", "/forms/v2/forms"): {200: "FormV2List"},
    ("GET", "/marketing-emails/v1/emails/with-statistics"): {200: "MarketingEmailV1Page"},
    ("GET", "/automation/v3/workflows"): {200: "WorkflowV3List"},
}


def _dated(version: str, batch_207: bool) -> dict[tuple[str, str], dict[int, str]]:
    v = version
    ops = {
        ("GET", f"/crm/objects/{v}/{{objectType}}"): {200: "ObjectList"},
        ("GET", f"/crm/objects/{v}/{{objectType}}/{{objectId}}"): {200: "SimplePublicObjectWithAssociations"},
        ("POST", f"/crm/objects/{v}/{{objectType}}/batch/read"): {200: "ObjectBatch"},
        ("POST", f"/crm/objects/{v}/{{objectType}}/search"): {200: "ObjectSearch"},
        ("GET", f"/crm/properties/{v}/{{objectType}}"): {200: "PropertyList"},
        ("GET", f"/crm/properties/{v}/{{objectType}}/{{propertyName}}"): {200: "Property"},
        ("GET", f"/crm/properties/{v}/{{objectType}}/groups"): {200: "PropertyGroupList"},
        ("POST", f"/crm/associations/{v}/{{fromObjectType}}/{{toObjectType}}/batch/read"): {
            200: "AssociationBatch"
        },
        # 2026-09: only in the Partner Services spec (generic {objectType}); 2026-03: Associations spec
        ("GET", f"/crm/objects/{v}/{{objectType}}/{{objectId}}/associations/{{toObjectType}}"): {
            200: "RecordAssociations"
        },
        ("GET", f"/crm/owners/{v}"): {200: "OwnerList"},
        ("GET", f"/crm/owners/{v}/{{ownerId}}"): {200: "PublicOwner"},
        ("GET", f"/crm/pipelines/{v}/{{objectType}}"): {200: "PipelineList"},
        ("GET", f"/crm/pipelines/{v}/{{objectType}}/{{pipelineId}}"): {200: "Pipeline"},
        ("GET", f"/crm/pipelines/{v}/{{objectType}}/{{pipelineId}}/stages"): {200: "PipelineStageList"},
        ("GET", f"/account-info/{v}/details"): {200: "PortalInformation"},
        ("POST", f"/oauth/{v}/token"): {200: "TokenResponse"},
        ("POST", f"/oauth/{v}/token/introspect"): {200: "TokenInfo"},
        ("POST", f"/oauth/{v}/token/revoke"): {},
        ("GET", f"/marketing/emails/{v}"): {200: "EmailList"},
        ("GET", f"/marketing/emails/{v}/{{emailId}}"): {200: "PublicEmail"},
        ("GET", f"/marketing/emails/{v}/statistics/list"): {200: "AggregateEmailStatistics"},
        ("GET", f"/marketing/emails/{v}/statistics/histogram"): {200: "EmailHistogram"},
        ("GET", f"/marketing/campaigns/{v}"): {200: "CampaignList"},
        ("GET", f"/marketing/campaigns/{v}/{{campaignGuid}}"): {200: "PublicCampaignWithAssets"},
        ("GET", f"/marketing/campaigns/{v}/{{campaignGuid}}/assets/{{assetType}}"): {
            200: "CampaignAssetList"
        },
        ("GET", f"/marketing/campaigns/{v}/{{campaignGuid}}/reports/metrics"): {200: "MetricsCounters"},
        ("GET", f"/marketing/campaigns/{v}/{{campaignGuid}}/reports/revenue"): {
            200: "RevenueAttributionAggregate"
        },
    }
    if batch_207:
        ops[("POST", f"/crm/objects/{v}/{{objectType}}/batch/read")][207] = "ObjectBatchWithErrors"
        ops[("POST", f"/crm/associations/{v}/{{fromObjectType}}/{{toObjectType}}/batch/read")][207] = (
            "AssociationBatchWithErrors"
        )
    else:  # 2026-09 declares no 200 body for the token endpoint
        ops[("POST", f"/oauth/{v}/token")] = {}
    return ops


OPERATIONS: dict[str, dict[tuple[str, str], dict[int, str]]] = {
    "legacy": _LEGACY_OPS,
    "2026-03": _dated("2026-03", batch_207=True),
    "2026-09": {
        **_dated("2026-09", batch_207=False),
        # forms have only a beta date (same shapes as v3)
        ("GET", "/marketing/forms/2026-09-beta"): {200: "FormList"},
        ("GET", "/marketing/forms/2026-09-beta/{formId}"): {200: "HubSpotFormDefinition"},
    },
}


# -- compiled types ------------------------------------------------------------------------------------
class Shape:
    """A named shape bound to its version table (what ``problems`` walks)."""

    def __init__(self, table: Mapping[str, Mapping[str, str]], name: str) -> None:
        if name not in table:
            raise KeyError(f"no shape {name!r}")
        self.table, self.name = table, name

    def __repr__(self) -> str:
        return f"Shape({self.name})"


def shape(version: str, name: str) -> Shape:
    return Shape(SHAPES[version], name)


def response_shape(version: str, method: str, path: str, status: int = 200) -> Shape | None:
    """The declared body of one success status (None: the spec declares none)."""
    name = OPERATIONS[version][(method.upper(), path)].get(status)
    return shape(version, name) if name else None


def _split_union(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return parts


_DT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_BASE = {"str", "int", "num", "bool", "obj", "any", "dt"}


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def problems(
    body: Any,
    shape: Shape | str | Mapping[str, str],
    path: str = "$",
    *,
    table: Mapping[str, Any] | None = None,
) -> list[str]:
    """Every missing required field, wrong type or wrong null in ``body`` against ``shape``.

    ``shape``: a ``Shape`` (from ``shape()`` / ``response_shape()``), a type string such as
    ``"[PublicOwner]"`` (named shapes resolve in ``table``, default the legacy table), or a field
    dict. Extra fields are never a problem. Messages look like ``$.results[3].id: integer, expected
    string``.
    """
    tbl = table if table is not None else LEGACY
    if isinstance(shape, Shape):
        return _check_named(body, shape.table, shape.name, path)
    if isinstance(shape, Mapping):
        return _check_fields(body, tbl, shape, path)
    return _check(body, tbl, shape, path)


def _check_named(body: Any, table: Mapping[str, Any], name: str, path: str) -> list[str]:
    fields = table[name]
    if "__union__" in fields:
        return _check(body, table, fields["__union__"], path)
    if "__map__" in fields:
        return _check(body, table, "{" + fields["__map__"] + "}", path)
    return _check_fields(body, table, fields, path, name)


def _check_fields(
    body: Any, table: Mapping[str, Any], fields: Mapping[str, str], path: str, name: str = "object"
) -> list[str]:
    if not isinstance(body, dict):
        return [f"{path}: {_kind(body)}, expected object ({name})"]
    out: list[str] = []
    for key, spec in fields.items():
        required = spec.endswith("!")
        spec = spec.rstrip("!")
        if key not in body:
            if required:
                out.append(f"{path}.{key}: missing (required)")
            continue
        out.extend(_check(body[key], table, spec, f"{path}.{key}"))
    return out


def _check(value: Any, table: Mapping[str, Any], spec: str, path: str) -> list[str]:
    spec = spec.rstrip("!")
    alternatives = _split_union(spec)
    if len(alternatives) > 1:
        found = [_check(value, table, alt, path) for alt in alternatives]
        if any(not f for f in found):
            return []
        # the closest member: one whose union tags (=value fields) matched, then the fewest problems
        return min(found, key=lambda f: (any("expected the value" in m for m in f), len(f)))
    nullable = spec.endswith("?")
    spec = spec.rstrip("?")
    if value is None:
        return [] if nullable or spec == "any" else [f"{path}: null, expected {_label(spec)} (not nullable)"]
    if spec.startswith("["):
        if not isinstance(value, list):
            return [f"{path}: {_kind(value)}, expected array"]
        inner = spec[1:-1]
        return [p for i, item in enumerate(value) for p in _check(item, table, inner, f"{path}[{i}]")]
    if spec.startswith("{"):
        if not isinstance(value, dict):
            return [f"{path}: {_kind(value)}, expected object"]
        inner = spec[1:-1]
        return [p for k, item in value.items() for p in _check(item, table, inner, f"{path}.{k}")]
    if spec.startswith("="):
        if value != spec[1:]:
            return [f"{path}: {value!r}, expected the value {spec[1:]!r}"]
        return []
    if spec in _BASE:
        return _check_base(value, spec, path)
    return _check_named(value, table, spec, path)


def _label(spec: str) -> str:
    return {
        "str": "string",
        "int": "integer",
        "num": "number",
        "bool": "boolean",
        "obj": "object",
        "dt": "date-time string",
    }.get(spec, "array" if spec.startswith("[") else "object" if spec.startswith("{") else spec)


def _check_base(value: Any, spec: str, path: str) -> list[str]:
    kind = _kind(value)
    ok = {
        "any": True,
        "str": kind == "string",
        "dt": kind == "string",
        "int": kind == "integer",
        "num": kind in ("integer", "number"),
        "bool": kind == "boolean",
        "obj": kind == "object",
    }[spec]
    if not ok:
        return [f"{path}: {kind}, expected {_label(spec)}"]
    if spec == "dt" and not _DT.match(value):
        return [f"{path}: {value[:40]!r} is not a date-time"]
    return []


def validate_tables() -> list[str]:
    """Names used but not defined in some version table (a self-check for the data above)."""
    bad = []
    for version, table in SHAPES.items():
        for name, fields in table.items():
            for spec in fields.values():
                for token in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", spec):
                    if token not in _BASE and token[0].isupper() and token not in table:
                        bad.append(f"{version}:{name} uses {token}")
        for (method, path), statuses in OPERATIONS[version].items():
            bad.extend(f"{version}:{method} {path} -> {n}" for n in statuses.values() if n not in table)
    return bad
