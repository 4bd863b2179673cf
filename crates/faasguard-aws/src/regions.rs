//! `--regions all`: the regions enabled for the account, from EC2 `DescribeRegions` (which
//! lists only enabled regions unless asked for all), called through [`crate::query`].

use crate::CloudSettings;
use crate::query::{QueryClient, elements};

/// The enabled regions of the account behind `config`, sorted.
pub(crate) async fn enabled_regions(
    config: &aws_config::SdkConfig,
    settings: &CloudSettings,
) -> Result<Vec<String>, String> {
    let client = QueryClient::new(config, settings, "ec2").await?;
    let xml = client
        .call("Action=DescribeRegions&Version=2016-11-15".to_owned())
        .await?;
    Ok(region_names(&xml))
}

/// The region names of a `DescribeRegions` answer, sorted.
fn region_names(xml: &str) -> Vec<String> {
    let mut out: Vec<String> = elements(xml, "regionName")
        .into_iter()
        .filter(|name| !name.is_empty())
        .collect();
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Region names are read from a DescribeRegions answer, sorted.
    #[test]
    fn parses_answers() {
        let xml = "<DescribeRegionsResponse><regionInfo><item><regionName>us-east-1</regionName><optInStatus>opt-in-not-required</optInStatus></item><item><regionName>eu-west-1</regionName></item></regionInfo></DescribeRegionsResponse>";
        assert_eq!(region_names(xml), ["eu-west-1", "us-east-1"]);
    }
}
