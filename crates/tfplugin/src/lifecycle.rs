//! Tests only: a resource driven the way Terraform core drives it, with the checks Terraform
//! makes on the provider's answers. Validation, the proposed new state, `PlanResourceChange`
//! (through [`framework::plan_change`], the service's own code), the plan validity rules,
//! replacement as delete then create, `ApplyResourceChange` and its consistency rules, refresh.
//!
//! The rules follow Terraform's `objchange` package (`ProposedNew`, `AssertPlanValid`,
//! `AssertObjectCompatible`) for top-level attributes, which is all our resources have.

use std::sync::Arc;

use super::diag::{AttrPath, Diagnostics, Severity};
use super::framework::{self, ApplyRequest, PlanRequest, Resource, Stored};
use super::schema::Block;
use super::value::Value;

/// Terraform's proposed new state: per attribute, the configuration, except that an unset
/// computed attribute (optional+computed or computed only) proposes its prior value.
pub fn proposed_new(block: &Block, prior: &Value, config: &Value) -> Value {
    Value::object(block.attributes.iter().map(|a| {
        let configured = config.get(&a.name).cloned().unwrap_or(Value::Null);
        let prior_value = prior.get(&a.name).cloned().unwrap_or(Value::Null);
        let value = if a.computed && configured.is_null() {
            prior_value
        } else {
            configured
        };
        (a.name.clone(), value)
    }))
}

/// What Terraform reports as "Provider produced invalid plan" (`AssertPlanValid`).
pub fn plan_validity_errors(
    block: &Block,
    prior: &Value,
    config: &Value,
    planned: &Value,
) -> Vec<String> {
    let mut errors = Vec::new();
    for a in &block.attributes {
        let get = |v: &Value| v.get(&a.name).cloned().unwrap_or(Value::Null);
        let (p, c, r) = (get(planned), get(config), get(prior));
        let fine = if a.write_only {
            p.is_null()
        } else {
            p == c
                || (!r.is_null() && !c.is_null() && p == r)
                || (c.is_null() && (a.computed || p.is_null()))
        };
        if !fine {
            errors.push(format!(
                "{}: planned value {p:?} does not match config value {c:?} nor prior value {r:?}",
                a.name
            ));
        }
    }
    errors
}

/// What Terraform reports as "Provider produced inconsistent result after apply" or "invalid
/// result object after apply": every value known in the plan kept, nothing left unknown.
pub fn apply_result_errors(block: &Block, planned: &Value, state: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    for a in &block.attributes {
        let get = |v: &Value| v.get(&a.name).cloned().unwrap_or(Value::Null);
        let (p, s) = (get(planned), get(state));
        if !s.is_wholly_known() {
            errors.push(format!("{}: unknown value after apply ({s:?})", a.name));
        } else if p.is_wholly_known() && p != s {
            errors.push(format!("{}: was {p:?}, but now {s:?}", a.name));
        } else if let (Some(pe), Some(se)) = (p.as_elements(), s.as_elements()) {
            if matches!(p, Value::List(_)) && pe.len() != se.len() {
                errors.push(format!("{}: length changed from {p:?} to {s:?}", a.name));
            }
        }
    }
    errors
}

fn errors_of(d: &Diagnostics) -> Vec<String> {
    d.iter()
        .filter(|x| x.severity == Severity::Error)
        .map(|x| format!("{:?} {}: {}", x.path, x.summary, x.detail))
        .collect()
}

/// One plan as Terraform would receive it.
#[derive(Debug)]
pub struct Planned {
    pub planned: Value,
    /// Replacement paths whose value changes (those Terraform acts on).
    pub replace: Vec<AttrPath>,
    pub diags: Diagnostics,
}

/// A resource in a Terraform working directory of its own. `what` names the case in every
/// failure message.
pub struct Terraform {
    pub resource: Arc<dyn Resource>,
    pub what: String,
    /// Attributes an update planned as unknown that came out as they were ("known after
    /// apply" noise), per apply.
    noise: std::sync::Mutex<Vec<String>>,
}

impl Terraform {
    pub fn new(resource: Arc<dyn Resource>, what: impl Into<String>) -> Self {
        Self {
            resource,
            what: what.into(),
            noise: Default::default(),
        }
    }

    /// The attributes updates so far planned as unknown although they did not change.
    pub fn noise(&self) -> Vec<String> {
        self.noise.lock().map(|n| n.clone()).unwrap_or_default()
    }

    fn block(&self) -> &Block {
        &self.resource.schema().block
    }

    /// `ValidateResourceConfig`, then `PlanResourceChange` for `config` against `prior` (`None`
    /// on create), then Terraform's plan validity rules. Panics on an invalid plan.
    pub fn plan(&self, prior: Option<&Stored>, config: &Value) -> Planned {
        let what = &self.what;
        let mut diags = Diagnostics::new();
        self.resource.validate(config, &mut diags);
        assert!(
            !diags.has_errors(),
            "{what}: invalid configuration: {:?}",
            errors_of(&diags)
        );
        let (prior_value, private) = match prior {
            Some(s) => (s.state.clone(), s.private.as_slice()),
            None => (Value::Null, &[][..]),
        };
        let shape = Value::null_object(&self.resource.schema().implied_type());
        let proposed = proposed_new(
            self.block(),
            if prior_value.is_null() {
                &shape
            } else {
                &prior_value
            },
            config,
        );
        let req = PlanRequest {
            prior: &prior_value,
            config,
            prior_private: private,
        };
        let (planned, replace) =
            framework::plan_change(self.resource.as_ref(), &req, &proposed, &mut diags);
        assert!(
            !diags.has_errors(),
            "{what}: plan failed: {:?}",
            errors_of(&diags)
        );
        let invalid = plan_validity_errors(self.block(), &prior_value, config, &planned);
        assert!(invalid.is_empty(), "{what}: invalid plan: {invalid:#?}");
        let replace = replace
            .into_iter()
            .filter(|path| {
                let name = path.to_string();
                prior_value.get(&name) != planned.get(&name)
                    || planned.get(&name).is_some_and(|v| !v.is_wholly_known())
            })
            .collect();
        Planned {
            planned,
            replace,
            diags,
        }
    }

    /// `ApplyResourceChange` of a plan, with Terraform's checks of the result.
    async fn apply_plan(
        &self,
        prior: Option<&Stored>,
        config: &Value,
        plan: &Planned,
    ) -> Result<Stored, Diagnostics> {
        let mut diags = Diagnostics::new();
        let null = Value::Null;
        let (prior_value, private) = match prior {
            Some(s) => (&s.state, s.private.as_slice()),
            None => (&null, &[][..]),
        };
        let req = ApplyRequest {
            prior: prior_value,
            planned: &plan.planned,
            config,
            private,
        };
        let stored = match prior {
            None => self.resource.create(&req, &mut diags).await,
            Some(_) => self.resource.update(&req, &mut diags).await,
        };
        if diags.has_errors() {
            return Err(diags);
        }
        let what = &self.what;
        let Some(mut stored) = stored else {
            panic!("{what}: apply returned no state and no error");
        };
        framework::null_write_only(self.block(), &mut stored.state);
        let wrong = apply_result_errors(self.block(), &plan.planned, &stored.state);
        assert!(
            wrong.is_empty(),
            "{what}: bad result after apply: {wrong:#?}"
        );
        if prior.is_some() {
            let unchanged = self.block().attributes.iter().filter(|a| {
                plan.planned.get(&a.name) == Some(&Value::Unknown)
                    && prior_value.get(&a.name) == stored.state.get(&a.name)
            });
            let changed: Vec<&str> = self
                .block()
                .attributes
                .iter()
                .filter(|a| plan.planned.get(&a.name) != prior_value.get(&a.name))
                .map(|a| a.name.as_str())
                .collect();
            if let Ok(mut noise) = self.noise.lock() {
                noise.extend(
                    unchanged.map(|a| format!("{} (the plan changed {changed:?})", a.name)),
                );
            }
        }
        Ok(stored)
    }

    /// `terraform apply`: refresh, plan, then create, update or replace (delete, then
    /// create). Panics on anything Terraform would reject; returns the apply's error
    /// diagnostics.
    pub async fn try_apply(
        &self,
        prior: Option<&Stored>,
        config: &Value,
    ) -> Result<Stored, Diagnostics> {
        let refreshed = match prior {
            Some(s) => self.refresh(s).await,
            None => None,
        };
        let plan = self.plan(refreshed.as_ref(), config);
        match (&refreshed, plan.replace.is_empty()) {
            (Some(current), true) if plan.planned == current.state => Ok(current.clone()),
            (Some(current), false) => {
                self.destroy(current).await;
                let plan = self.plan(None, config);
                self.apply_plan(None, config, &plan).await
            }
            _ => self.apply_plan(refreshed.as_ref(), config, &plan).await,
        }
    }

    /// [`Self::try_apply`] that must succeed.
    pub async fn apply(&self, prior: Option<&Stored>, config: &Value) -> Stored {
        match self.try_apply(prior, config).await {
            Ok(s) => s,
            Err(d) => panic!("{}: apply failed: {:?}", self.what, errors_of(&d)),
        }
    }

    /// `ReadResource`; `None` when the object is gone.
    pub async fn refresh(&self, stored: &Stored) -> Option<Stored> {
        let mut diags = Diagnostics::new();
        let read = self
            .resource
            .read(&stored.state, &stored.private, &mut diags)
            .await;
        let what = &self.what;
        assert!(
            !diags.has_errors(),
            "{what}: refresh failed: {:?}",
            errors_of(&diags)
        );
        read.map(|mut s| {
            framework::null_write_only(self.block(), &mut s.state);
            let unknown = !s.state.is_wholly_known();
            assert!(
                !unknown,
                "{what}: unknown value after refresh: {:?}",
                s.state
            );
            s
        })
    }

    /// Refresh, then plan: no change (the plan equals the refreshed state). Returns the
    /// refreshed state.
    pub async fn assert_no_change(&self, stored: &Stored, config: &Value) -> Stored {
        let what = &self.what;
        let Some(refreshed) = self.refresh(stored).await else {
            panic!("{what}: the object is gone after apply");
        };
        let plan = self.plan(Some(&refreshed), config);
        let changed: Vec<String> = self
            .block()
            .attributes
            .iter()
            .filter(|a| plan.planned.get(&a.name) != refreshed.state.get(&a.name))
            .map(|a| {
                let get = |v: &Value| v.get(&a.name).cloned().unwrap_or(Value::Null);
                format!(
                    "{}: {:?} -> {:?}",
                    a.name,
                    get(&refreshed.state),
                    get(&plan.planned)
                )
            })
            .collect();
        assert!(
            changed.is_empty(),
            "{what}: the plan after apply is not empty: {changed:#?}"
        );
        refreshed
    }

    /// Apply `config`, then check that the next plan is empty.
    pub async fn converge(&self, prior: Option<&Stored>, config: &Value) -> Stored {
        let applied = self.apply(prior, config).await;
        self.assert_no_change(&applied, config).await
    }

    /// `terraform destroy` of one object.
    pub async fn destroy(&self, stored: &Stored) {
        let mut diags = Diagnostics::new();
        self.resource
            .delete(&stored.state, &stored.private, &mut diags)
            .await;
        let what = &self.what;
        assert!(
            !diags.has_errors(),
            "{what}: destroy failed: {:?}",
            errors_of(&diags)
        );
    }
}

/// Configurations that together hold every pair of values of any two dimensions at least once
/// (a greedy all-pairs covering, deterministic). `dims[i]` is how many values dimension `i`
/// has; each configuration is the value index per dimension. Dimensions must be independent:
/// values that only make sense together are one dimension.
pub fn all_pairs(dims: &[usize]) -> Vec<Vec<usize>> {
    let mut missing = std::collections::BTreeSet::new();
    for i in 0..dims.len() {
        for j in i + 1..dims.len() {
            for a in 0..dims[i] {
                for b in 0..dims[j] {
                    missing.insert((i, a, j, b));
                }
            }
        }
    }
    let mut chosen = Vec::new();
    while let Some(&(i, a, j, b)) = missing.iter().next() {
        let mut row: Vec<Option<usize>> = vec![None; dims.len()];
        row[i] = Some(a);
        row[j] = Some(b);
        for k in 0..dims.len() {
            if row[k].is_some() {
                continue;
            }
            // The value that covers the most missing pairs with the values chosen so far.
            let gain = |v: usize| {
                row.iter()
                    .enumerate()
                    .filter_map(|(m, w)| w.map(|w| (m, w)))
                    .filter(|&(m, w)| {
                        let pair = if m < k { (m, w, k, v) } else { (k, v, m, w) };
                        missing.contains(&pair)
                    })
                    .count()
            };
            let best = (0..dims[k]).max_by_key(|&v| (gain(v), std::cmp::Reverse(v)));
            row[k] = best;
        }
        let row: Vec<usize> = row.into_iter().map(|v| v.unwrap_or(0)).collect();
        for m in 0..row.len() {
            for n in m + 1..row.len() {
                missing.remove(&(m, row[m], n, row[n]));
            }
        }
        chosen.push(row);
    }
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_pairs_covers_every_pair_with_few_configurations() {
        let dims = [5, 3, 3, 2, 2, 2, 2, 2, 2, 2];
        let chosen = all_pairs(&dims);
        let product: usize = dims.iter().product();
        assert!(chosen.len() < 40, "{} of {product}", chosen.len());
        for i in 0..dims.len() {
            for j in i + 1..dims.len() {
                for a in 0..dims[i] {
                    for b in 0..dims[j] {
                        assert!(chosen.iter().any(|c| c[i] == a && c[j] == b));
                    }
                }
            }
        }
        assert!(chosen
            .iter()
            .all(|c| c.iter().zip(&dims).all(|(v, n)| v < n)));
        assert_eq!(chosen, all_pairs(&dims), "deterministic");
    }
}
