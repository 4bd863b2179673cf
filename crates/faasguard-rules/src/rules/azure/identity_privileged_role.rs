use faasguard_model::{Function, Inventory};

use crate::{RuleSettings, Violation, declare_rule};

/// Built-in roles that can change resources or grant access, with their role definition ids.
const PRIVILEGED_ROLES: &[(&str, &str)] = &[
    ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
    ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
    (
        "User Access Administrator",
        "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9",
    ),
    (
        "Role Based Access Control Administrator",
        "f58310d9-a9f6-439a-9e8d-f62e7b41a168",
    ),
];

declare_rule! {
    /// ## What it does
    /// Reports a role assignment (ARM/Bicep `Microsoft.Authorization/roleAssignments`) that
    /// grants the function app's managed identity one of the built-in roles that can change
    /// any resource or grant access: Owner, Contributor, User Access Administrator or Role Based
    /// Access Control Administrator (by name or role definition id). The message gives the
    /// scope of the assignment.
    ///
    /// ## Why is this bad?
    /// Any code running in the function (its own, its dependencies', or an attacker's after an
    /// injection) can obtain a token for the identity from the local identity endpoint. With
    /// Owner or Contributor it can read keys, change or delete every resource in the scope; with
    /// the access-administration roles it can grant itself or anyone else more. One flaw in one
    /// function becomes control of the resource group or subscription.
    ///
    /// ## Example
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     {
    ///       "type": "Microsoft.Web/sites",
    ///       "apiVersion": "2022-09-01",
    ///       "name": "orders-func",
    ///       "location": "westeurope",
    ///       "kind": "functionapp,linux",
    ///       "identity": { "type": "SystemAssigned" },
    ///       "properties": {}
    ///     },
    ///     {
    ///       "type": "Microsoft.Authorization/roleAssignments",
    ///       "apiVersion": "2022-04-01",
    ///       "name": "[guid(resourceGroup().id, 'orders-func', 'contributor')]",
    ///       "properties": {
    ///         "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
    ///         "principalId": "[reference(resourceId('Microsoft.Web/sites', 'orders-func'), '2022-09-01', 'full').identity.principalId]",
    ///         "principalType": "ServicePrincipal"
    ///       }
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// Use instead:
    /// a data-plane role (Storage Blob Data Reader) scoped to the one storage account the
    /// function reads:
    /// ```json
    /// {
    ///   "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    ///   "contentVersion": "1.0.0.0",
    ///   "resources": [
    ///     {
    ///       "type": "Microsoft.Web/sites",
    ///       "apiVersion": "2022-09-01",
    ///       "name": "orders-func",
    ///       "location": "westeurope",
    ///       "kind": "functionapp,linux",
    ///       "identity": { "type": "SystemAssigned" },
    ///       "properties": {}
    ///     },
    ///     {
    ///       "type": "Microsoft.Authorization/roleAssignments",
    ///       "apiVersion": "2022-04-01",
    ///       "name": "[guid(resourceGroup().id, 'orders-func', 'blob-reader')]",
    ///       "scope": "Microsoft.Storage/storageAccounts/ordersdata",
    ///       "properties": {
    ///         "roleDefinitionId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1')]",
    ///         "principalId": "[reference(resourceId('Microsoft.Web/sites', 'orders-func'), '2022-09-01', 'full').identity.principalId]",
    ///         "principalType": "ServicePrincipal"
    ///       }
    ///     }
    ///   ]
    /// }
    /// ```
    ///
    /// ## References
    /// - OWASP Serverless Top 10 SAS-4: Over-Privileged Function Permissions and Roles
    /// - CWE-250: Execution with Unnecessary Privileges
    /// - <https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles>
    /// - <https://learn.microsoft.com/en-us/azure/role-based-access-control/best-practices>
    pub IdentityPrivilegedRole {
        id: "FG-AZ-002",
        name: "identity-privileged-role",
        title: "Function identity holds Owner, Contributor or an access-administration role",
        severity: High,
        family: Azure,
        status: Stable,
        since: "0.1.0",
        remediation: "Grant the identity only the data-plane roles it needs (Storage Blob Data Reader, Key Vault Secrets User, …) on the specific resources it uses.",
        references: &[
            "OWASP Serverless Top 10 SAS-4: Over-Privileged Function Permissions and Roles",
            "CWE-250",
            "https://learn.microsoft.com/en-us/azure/role-based-access-control/built-in-roles",
            "https://learn.microsoft.com/en-us/azure/role-based-access-control/best-practices",
        ],
    }
}

impl IdentityPrivilegedRole {
    fn check_function(
        func: &Function,
        _inv: &Inventory,
        _settings: &RuleSettings,
        out: &mut Vec<Violation>,
    ) {
        for ra in &func.role_assignments {
            let Some(role) = privileged_role(&ra.role) else {
                continue;
            };
            let scope = match (&ra.scope.value, &ra.scope.origin) {
                (Some(s), _) => s.clone(),
                (None, faasguard_core::Origin::Unresolved { expr }) => expr.clone(),
                (None, _) => "the deployment scope".to_owned(),
            };
            out.push(
                Violation::new(
                    Some(&ra.at),
                    format!("the function's managed identity is granted {role} on {scope}"),
                )
                .with_evidence(format!("role: {}", ra.role)),
            );
        }
    }
}

/// The built-in privileged role `role` names (by name or role definition id), if any.
fn privileged_role(role: &str) -> Option<&'static str> {
    let lower = role.trim().to_ascii_lowercase();
    PRIVILEGED_ROLES
        .iter()
        .find(|(name, guid)| lower == name.to_ascii_lowercase() || lower.contains(guid))
        .map(|(name, _)| *name)
}

#[cfg(test)]
mod tests {
    use faasguard_core::{Attr, Location};
    use faasguard_model::RoleAssignment;

    use super::*;
    use crate::rules::function::support::testing::{self, azure_function};

    fn assignment(role: &str, scope: Attr<String>) -> RoleAssignment {
        RoleAssignment {
            role: role.to_owned(),
            scope,
            at: Location::at("azuredeploy.json", 30, 5),
        }
    }

    fn run(assignments: Vec<RoleAssignment>) -> Vec<Violation> {
        let mut f = azure_function("orders-func");
        f.role_assignments = assignments;
        testing::run(&IdentityPrivilegedRole, &f)
    }

    /// Owner by name and Contributor by role definition id each fire at the assignment,
    /// naming the role and the scope.
    #[test]
    fn owner_and_contributor_fire() {
        let out = run(vec![
            assignment("Owner", Attr::default_value("resourceGroup".to_owned())),
            assignment(
                "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b24988ac-6180-42a0-ab88-20f7382dd24c')]",
                Attr::unresolved(
                    "[subscription().id]",
                    Location::at("azuredeploy.json", 31, 5),
                ),
            ),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].at, Some(Location::at("azuredeploy.json", 30, 5)));
        assert!(
            out[0].message.contains("Owner on resourceGroup"),
            "{}",
            out[0].message
        );
        assert!(
            out[1]
                .message
                .contains("Contributor on [subscription().id]"),
            "{}",
            out[1].message
        );
    }

    /// User Access Administrator (any case) fires; Reader and data roles do not.
    #[test]
    fn access_admin_fires_reader_silent() {
        let out = run(vec![
            assignment("user access administrator", Attr::absent()),
            assignment("Reader", Attr::absent()),
            assignment("2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", Attr::absent()),
        ]);
        assert_eq!(out.len(), 1);
        assert!(
            out[0]
                .message
                .contains("User Access Administrator on the deployment scope")
        );
    }
}
