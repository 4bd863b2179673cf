//! CloudTrail: which trails record a region's Lambda invocations as data events
//! (`DescribeTrails` with shadow trails, then `GetTrailStatus` and `GetEventSelectors` of each
//! trail in its home region). Three calls per trail and region, not per function.

use serde_json::{Value, json};

use crate::CloudSettings;
use crate::query::QueryClient;

const DESCRIBE_TRAILS: &str =
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails";
const GET_TRAIL_STATUS: &str =
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetTrailStatus";
const GET_EVENT_SELECTORS: &str =
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.GetEventSelectors";
const LAMBDA_TYPE: &str = "AWS::Lambda::Function";

/// One ARN pattern of a selector: the ARN itself (a function, or a function and its
/// qualifiers) or a prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    Exact(String),
    Prefix(String),
}

impl Pattern {
    fn matches(&self, arn: &str) -> bool {
        match self {
            Pattern::Exact(v) => {
                arn == v
                    || arn
                        .strip_prefix(v.as_str())
                        .is_some_and(|r| r.starts_with(':'))
            }
            Pattern::Prefix(v) => arn.starts_with(v.as_str()),
        }
    }
}

/// Which functions one selector records.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Selector {
    /// `None` = every function.
    include: Option<Vec<Pattern>>,
    exclude: Vec<Pattern>,
}

impl Selector {
    fn covers(&self, arn: &str) -> bool {
        self.include
            .as_ref()
            .is_none_or(|inc| inc.iter().any(|p| p.matches(arn)))
            && !self.exclude.iter().any(|p| p.matches(arn))
    }
}

/// A logging trail that applies to the region, with its Lambda data-event selectors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Trail {
    pub arn: String,
    selectors: Vec<Selector>,
}

/// The trails of a region, as far as Lambda invocations go.
#[derive(Debug, Clone, Default)]
pub(crate) struct RegionTrails {
    trails: Vec<Trail>,
}

impl RegionTrails {
    /// The ARN of the first trail that records `function_arn`'s invocations.
    pub(crate) fn covering(&self, function_arn: &str) -> Option<&str> {
        self.trails
            .iter()
            .find(|t| t.selectors.iter().any(|s| s.covers(function_arn)))
            .map(|t| t.arn.as_str())
    }
}

/// Reads the trails that apply to `region` (its own and multi-region ones homed elsewhere);
/// trails that are not logging are left out.
pub(crate) async fn read(
    config: &aws_config::SdkConfig,
    settings: &CloudSettings,
    region: &str,
) -> Result<RegionTrails, String> {
    let client = QueryClient::in_region(config, settings, "cloudtrail", region).await?;
    let answer = client
        .call_json(
            DESCRIBE_TRAILS,
            json!({ "includeShadowTrails": true }).to_string(),
        )
        .await
        .map_err(|e| format!("CloudTrail DescribeTrails: {e}"))?;
    let listed: Value = serde_json::from_str(&answer)
        .map_err(|e| format!("CloudTrail DescribeTrails: unreadable answer: {e}"))?;
    let mut trails = Vec::new();
    for trail in listed["trailList"].as_array().into_iter().flatten() {
        let Some(arn) = trail["TrailARN"].as_str() else {
            continue;
        };
        let home = trail["HomeRegion"].as_str().unwrap_or(region);
        let home_client = if home == region {
            client.clone()
        } else {
            QueryClient::in_region(config, settings, "cloudtrail", home).await?
        };
        let status = home_client
            .call_json(GET_TRAIL_STATUS, json!({ "Name": arn }).to_string())
            .await
            .map_err(|e| format!("CloudTrail GetTrailStatus {arn}: {e}"))?;
        let status: Value = serde_json::from_str(&status)
            .map_err(|e| format!("CloudTrail GetTrailStatus {arn}: unreadable answer: {e}"))?;
        if status["IsLogging"].as_bool() != Some(true) {
            continue;
        }
        let selectors = home_client
            .call_json(GET_EVENT_SELECTORS, json!({ "TrailName": arn }).to_string())
            .await
            .map_err(|e| format!("CloudTrail GetEventSelectors {arn}: {e}"))?;
        let selectors: Value = serde_json::from_str(&selectors)
            .map_err(|e| format!("CloudTrail GetEventSelectors {arn}: unreadable answer: {e}"))?;
        trails.push(Trail {
            arn: arn.to_owned(),
            selectors: lambda_selectors(&selectors),
        });
    }
    Ok(RegionTrails { trails })
}

/// The selectors of a `GetEventSelectors` answer that record Lambda `Invoke` calls.
fn lambda_selectors(answer: &Value) -> Vec<Selector> {
    let mut out = Vec::new();
    for sel in answer["EventSelectors"].as_array().into_iter().flatten() {
        // An invocation is a write event.
        if sel["ReadWriteType"].as_str() == Some("ReadOnly") {
            continue;
        }
        for dr in sel["DataResources"].as_array().into_iter().flatten() {
            if dr["Type"].as_str() != Some(LAMBDA_TYPE) {
                continue;
            }
            let values: Vec<&str> = dr["Values"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            if values.iter().any(|v| is_all_functions(v)) {
                out.push(Selector {
                    include: None,
                    exclude: Vec::new(),
                });
            } else if !values.is_empty() {
                out.push(Selector {
                    include: Some(
                        values
                            .iter()
                            .map(|v| Pattern::Exact((*v).to_owned()))
                            .collect(),
                    ),
                    exclude: Vec::new(),
                });
            }
        }
    }
    for sel in answer["AdvancedEventSelectors"]
        .as_array()
        .into_iter()
        .flatten()
    {
        if let Some(s) = advanced_selector(sel) {
            out.push(s);
        }
    }
    out
}

/// `arn:aws:lambda` (any partition), with or without a trailing colon: every function.
fn is_all_functions(value: &str) -> bool {
    let v = value.trim_end_matches(':');
    let mut parts = v.split(':');
    parts.next() == Some("arn")
        && parts.next().is_some()
        && parts.next() == Some("lambda")
        && parts.next().is_none()
}

/// An advanced selector on `resources.type` `AWS::Lambda::Function` that does not exclude
/// `Invoke` (by `readOnly` or `eventName`), with its `resources.ARN` conditions.
fn advanced_selector(sel: &Value) -> Option<Selector> {
    let fields: Vec<&Value> = sel["FieldSelectors"].as_array()?.iter().collect();
    let field = |name: &str| fields.iter().find(|f| f["Field"].as_str() == Some(name));
    let list = |f: &Value, key: &str| -> Vec<String> {
        f[key]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let ty = field("resources.type")?;
    if !list(ty, "Equals").iter().any(|t| t == LAMBDA_TYPE) {
        return None;
    }
    if field("readOnly").is_some_and(|f| list(f, "Equals").iter().all(|v| v == "true")) {
        return None;
    }
    if let Some(f) = field("eventName") {
        let equals = list(f, "Equals");
        if (!equals.is_empty() && !equals.iter().any(|e| e == "Invoke"))
            || list(f, "NotEquals").iter().any(|e| e == "Invoke")
        {
            return None;
        }
    }
    let Some(arn) = field("resources.ARN") else {
        return Some(Selector {
            include: None,
            exclude: Vec::new(),
        });
    };
    let mut include: Vec<Pattern> = list(arn, "Equals")
        .into_iter()
        .map(Pattern::Exact)
        .collect();
    include.extend(list(arn, "StartsWith").into_iter().map(Pattern::Prefix));
    let mut exclude: Vec<Pattern> = list(arn, "NotEquals")
        .into_iter()
        .map(Pattern::Exact)
        .collect();
    exclude.extend(list(arn, "NotStartsWith").into_iter().map(Pattern::Prefix));
    Some(Selector {
        include: (!include.is_empty()).then_some(include),
        exclude,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FN: &str = "arn:aws:lambda:us-east-1:111122223333:function:pay";
    const OTHER: &str = "arn:aws:lambda:us-east-1:111122223333:function:payroll";

    fn covers(answer: &Value, arn: &str) -> bool {
        RegionTrails {
            trails: vec![Trail {
                arn: "t".into(),
                selectors: lambda_selectors(answer),
            }],
        }
        .covering(arn)
        .is_some()
    }

    /// Basic selectors: `arn:aws:lambda` covers all; a function ARN covers that function and
    /// its qualifiers, not a function whose name merely starts the same; read-only and other
    /// resource types cover nothing.
    #[test]
    fn basic_selectors() {
        let all = json!({"EventSelectors": [{"ReadWriteType": "All", "DataResources": [
            {"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]}]});
        assert!(covers(&all, FN));
        let one = json!({"EventSelectors": [{"ReadWriteType": "WriteOnly", "DataResources": [
            {"Type": "AWS::Lambda::Function", "Values": [FN]}]}]});
        assert!(covers(&one, FN));
        assert!(covers(&one, &format!("{FN}:prod")));
        assert!(!covers(&one, OTHER));
        let read_only = json!({"EventSelectors": [{"ReadWriteType": "ReadOnly", "DataResources": [
            {"Type": "AWS::Lambda::Function", "Values": ["arn:aws:lambda"]}]}]});
        assert!(!covers(&read_only, FN));
        let s3 = json!({"EventSelectors": [{"DataResources": [
            {"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]});
        assert!(!covers(&s3, FN));
        assert!(!covers(&json!({}), FN));
    }

    /// Advanced selectors: the Lambda type alone covers all; ARN conditions narrow it; readOnly
    /// true or an eventName without Invoke covers nothing.
    #[test]
    fn advanced_selectors() {
        let sel = |extra: Value| {
            let mut fields = vec![
                json!({"Field": "eventCategory", "Equals": ["Data"]}),
                json!({"Field": "resources.type", "Equals": ["AWS::Lambda::Function"]}),
            ];
            if !extra.is_null() {
                fields.push(extra);
            }
            json!({"AdvancedEventSelectors": [{"Name": "x", "FieldSelectors": fields}]})
        };
        assert!(covers(&sel(Value::Null), FN));
        let prefix = json!({"Field": "resources.ARN", "StartsWith": ["arn:aws:lambda:us-east-1:111122223333:function:pay"]});
        assert!(covers(&sel(prefix), OTHER));
        let not = json!({"Field": "resources.ARN", "NotEquals": [FN]});
        assert!(!covers(&sel(not.clone()), FN));
        assert!(covers(&sel(not), OTHER));
        let read = json!({"Field": "readOnly", "Equals": ["true"]});
        assert!(!covers(&sel(read), FN));
        let other_event = json!({"Field": "eventName", "Equals": ["GetFunction"]});
        assert!(!covers(&sel(other_event), FN));
        let s3 = json!({"AdvancedEventSelectors": [{"FieldSelectors": [
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}]});
        assert!(!covers(&s3, FN));
    }
}
