//! cw3-fixed-multisig controlling cw20-base, both on their Wasm fixtures:
//! cw-plus's own multi-test `cw3_controls_cw20`
//! (`contracts/cw3-fixed-multisig/src/integration_tests.rs`) with
//! `store_code` given the Wasm. The cw3 messages are written as JSON (the
//! cw3-fixed-multisig crate is not a dependency); the cw20 ones use the
//! cw20-base types.

use cosmwasm_std::{WasmMsg, to_json_binary};
use cosmwasm_std_v2::Uint128;
use cw_multi_test::{App, Executor};
use cw20::{BalanceResponse, MinterResponse};
use cw20_base::msg::QueryMsg;
use serde_json::json;

use crate::common::wasm;

#[test]
fn cw3_controls_cw20() {
    let mut router = App::default();

    // A cw3 multisig with 3 voters of weight 1 and a threshold of 2.
    let cw3_id = router.store_code(wasm("cw3_fixed_multisig"));
    let addr1 = router.api().addr_make("addr1");
    let addr2 = router.api().addr_make("addr2");
    let addr3 = router.api().addr_make("addr3");
    let cw3_instantiate_msg = json!({
        "voters": [
            { "addr": addr1.to_string(), "weight": 1 },
            { "addr": addr2.to_string(), "weight": 1 },
            { "addr": addr3.to_string(), "weight": 1 },
        ],
        "threshold": { "absolute_count": { "weight": 2 } },
        "max_voting_period": { "height": 3 },
    });
    let multisig_addr = router
        .instantiate_contract(
            cw3_id,
            addr1.clone(),
            &cw3_instantiate_msg,
            &[],
            "Consortium",
            None,
        )
        .unwrap();

    // A cw20 whose minter is the multisig.
    let cw20_id = router.store_code(wasm("cw20_base"));
    let cw20_instantiate_msg = cw20_base::msg::InstantiateMsg {
        name: "Consortium Token".parse().unwrap(),
        symbol: "CST".parse().unwrap(),
        decimals: 6,
        initial_balances: vec![],
        mint: Some(MinterResponse {
            minter: multisig_addr.to_string(),
            cap: None,
        }),
        marketing: None,
    };
    let cw20_addr = router
        .instantiate_contract(
            cw20_id,
            multisig_addr.clone(),
            &cw20_instantiate_msg,
            &[],
            "Consortium",
            None,
        )
        .unwrap();

    // Propose a mint, vote, execute.
    let mint_recipient = router.api().addr_make("mint_recipient");
    let mint_amount = Uint128::new(1000);
    let cw20_mint_msg = cw20_base::msg::ExecuteMsg::Mint {
        recipient: mint_recipient.to_string(),
        amount: mint_amount,
    };
    let execute_mint_msg = WasmMsg::Execute {
        contract_addr: cw20_addr.to_string(),
        msg: to_json_binary(&cw20_mint_msg).unwrap(),
        funds: vec![],
    };
    let propose_msg = json!({
        "propose": {
            "title": "Mint tokens",
            "description": "Need to mint tokens",
            "msgs": [{ "wasm": execute_mint_msg }],
            "latest": null,
        }
    });
    router
        .execute_contract(addr1.clone(), multisig_addr.clone(), &propose_msg, &[])
        .unwrap();

    // The proposer voted yes by proposing; a second yes reaches the threshold.
    let execute_proposal_msg = json!({ "execute": { "proposal_id": 1 } });
    let vote2_msg = json!({ "vote": { "proposal_id": 1, "vote": "yes" } });
    router
        .execute_contract(addr2, multisig_addr.clone(), &vote2_msg, &[])
        .unwrap();
    router
        .execute_contract(addr1, multisig_addr, &execute_proposal_msg, &[])
        .unwrap();

    let balance: BalanceResponse = router
        .wrap()
        .query_wasm_smart(
            &cw20_addr,
            &QueryMsg::Balance {
                address: mint_recipient.to_string(),
            },
        )
        .unwrap();
    assert_eq!(balance.balance, mint_amount);
}

/// A proposal below the threshold cannot be executed; nobody but a voter
/// may propose.
#[test]
fn cw3_refuses_unpassed_proposals_and_strangers() {
    let mut app = App::default();
    let voter = app.api().addr_make("voter");
    let other = app.api().addr_make("other");
    let stranger = app.api().addr_make("stranger");
    let cw3_id = app.store_code(wasm("cw3_fixed_multisig"));
    let multisig = app
        .instantiate_contract(
            cw3_id,
            voter.clone(),
            &json!({
                "voters": [
                    { "addr": voter.to_string(), "weight": 1 },
                    { "addr": other.to_string(), "weight": 1 },
                ],
                "threshold": { "absolute_count": { "weight": 2 } },
                "max_voting_period": { "height": 10 },
            }),
            &[],
            "multisig",
            None,
        )
        .unwrap();
    let propose = json!({
        "propose": { "title": "t", "description": "d", "msgs": [], "latest": null }
    });
    let err = app
        .execute_contract(stranger, multisig.clone(), &propose, &[])
        .unwrap_err();
    assert!(err.to_string().contains("Unauthorized"), "{err}");
    app.execute_contract(voter.clone(), multisig.clone(), &propose, &[])
        .unwrap();
    let err = app
        .execute_contract(
            voter,
            multisig.clone(),
            &json!({ "execute": { "proposal_id": 1 } }),
            &[],
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("Proposal must have passed"),
        "{err}"
    );
    let proposal: serde_json::Value = app
        .wrap()
        .query_wasm_smart(&multisig, &json!({ "proposal": { "proposal_id": 1 } }))
        .unwrap();
    assert_eq!(proposal["status"], "open");
}
