//! cw20-base on its Wasm fixture. `test_migrate` is cw-plus's own
//! multi-test (`contracts/cw20-base/src/contract.rs`, `mod migration`)
//! with `store_code` given the Wasm; the others run, through the App, the
//! scenarios cw-plus checks in cw20-base's unit tests (instantiate,
//! transfer, send to a receiver, allowances, queries).

use cosmwasm_std::{Addr, CosmosMsg, Empty, WasmMsg, to_json_binary};
use cosmwasm_std_v2::Uint128;
use cw_multi_test::{App, Executor};
use cw20::{
    AllAccountsResponse, AllAllowancesResponse, AllSpenderAllowancesResponse, AllowanceResponse,
    BalanceResponse, Cw20Coin, Expiration, MinterResponse, SpenderAllowanceInfo, TokenInfoResponse,
};
use cw20_base::msg::{ExecuteMsg, InstantiateMsg, MigrateMsg, QueryMsg};

use crate::common::wasm;

fn cw20_contract() -> Box<dyn cw_multi_test::Contract<Empty>> {
    wasm("cw20_base")
}

/// A token with `balances` and `minter`, instantiated by `creator`.
pub(crate) fn instantiate_token(
    app: &mut App,
    code_id: u64,
    creator: &Addr,
    balances: &[(&Addr, u128)],
    minter: Option<&Addr>,
) -> Addr {
    let msg = InstantiateMsg {
        name: "Cash Token".to_string(),
        symbol: "CASH".to_string(),
        decimals: 9,
        initial_balances: balances
            .iter()
            .map(|(address, amount)| Cw20Coin {
                address: address.to_string(),
                amount: Uint128::new(*amount),
            })
            .collect(),
        mint: minter.map(|minter| MinterResponse {
            minter: minter.to_string(),
            cap: None,
        }),
        marketing: None,
    };
    app.instantiate_contract(
        code_id,
        creator.clone(),
        &msg,
        &[],
        "CASH",
        Some(creator.to_string()),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

pub(crate) fn balance(app: &App, token: &Addr, address: &Addr) -> u128 {
    let response: BalanceResponse = app
        .wrap()
        .query_wasm_smart(
            token,
            &QueryMsg::Balance {
                address: address.to_string(),
            },
        )
        .unwrap_or_else(|e| panic!("{e}"));
    response.balance.u128()
}

fn total_supply(app: &App, token: &Addr) -> u128 {
    let info: TokenInfoResponse = app
        .wrap()
        .query_wasm_smart(token, &QueryMsg::TokenInfo {})
        .unwrap_or_else(|e| panic!("{e}"));
    info.total_supply.u128()
}

/// cw-plus `test_migrate`: allowance set, contract migrated to the same
/// code, balance and allowance still there.
#[test]
fn test_migrate() {
    let mut app = App::default();

    let sender = app.api().addr_make("sender").to_string();
    let spender = app.api().addr_make("spender").to_string();

    let cw20_id = app.store_code(cw20_contract());
    let cw20_addr = app
        .instantiate_contract(
            cw20_id,
            Addr::unchecked("sender"),
            &InstantiateMsg {
                name: "Token".to_string(),
                symbol: "TOKEN".to_string(),
                decimals: 6,
                initial_balances: vec![Cw20Coin {
                    address: sender.clone(),
                    amount: Uint128::new(100),
                }],
                mint: None,
                marketing: None,
            },
            &[],
            "TOKEN",
            Some(sender.clone()),
        )
        .unwrap();

    // No allowance to start.
    let allowance: AllAllowancesResponse = app
        .wrap()
        .query_wasm_smart(
            cw20_addr.to_string(),
            &QueryMsg::AllAllowances {
                owner: sender.clone(),
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert_eq!(allowance, AllAllowancesResponse::default());

    let allow1 = Uint128::new(7777);
    let expires = Expiration::AtHeight(123_456);
    let msg = CosmosMsg::Wasm(WasmMsg::Execute {
        contract_addr: cw20_addr.to_string(),
        msg: to_json_binary(&ExecuteMsg::IncreaseAllowance {
            spender: spender.clone(),
            amount: allow1,
            expires: Some(expires),
        })
        .unwrap(),
        funds: vec![],
    });
    app.execute(Addr::unchecked(&sender), msg).unwrap();

    app.execute(
        Addr::unchecked(&sender),
        CosmosMsg::Wasm(WasmMsg::Migrate {
            contract_addr: cw20_addr.to_string(),
            new_code_id: cw20_id,
            msg: to_json_binary(&MigrateMsg {}).unwrap(),
        }),
    )
    .unwrap();

    let balance: BalanceResponse = app
        .wrap()
        .query_wasm_smart(
            cw20_addr.clone(),
            &QueryMsg::Balance {
                address: sender.clone(),
            },
        )
        .unwrap();
    assert_eq!(balance.balance, Uint128::new(100));

    let allowance: AllSpenderAllowancesResponse = app
        .wrap()
        .query_wasm_smart(
            cw20_addr,
            &QueryMsg::AllSpenderAllowances {
                spender,
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert_eq!(
        allowance.allowances,
        &[SpenderAllowanceInfo {
            owner: sender,
            allowance: allow1,
            expires
        }]
    );
}

#[test]
fn instantiate_and_query_token_info_minter_and_accounts() {
    let mut app = App::default();
    let creator = app.api().addr_make("creator");
    let alice = app.api().addr_make("alice");
    let bob = app.api().addr_make("bob");
    let code_id = app.store_code(cw20_contract());
    let token = instantiate_token(
        &mut app,
        code_id,
        &creator,
        &[(&alice, 1_000), (&bob, 234)],
        Some(&creator),
    );

    let info: TokenInfoResponse = app
        .wrap()
        .query_wasm_smart(&token, &QueryMsg::TokenInfo {})
        .unwrap();
    assert_eq!(
        info,
        TokenInfoResponse {
            name: "Cash Token".to_string(),
            symbol: "CASH".to_string(),
            decimals: 9,
            total_supply: Uint128::new(1_234),
        }
    );
    let minter: Option<MinterResponse> = app
        .wrap()
        .query_wasm_smart(&token, &QueryMsg::Minter {})
        .unwrap();
    assert_eq!(minter.map(|m| m.minter), Some(creator.to_string()));
    assert_eq!(balance(&app, &token, &alice), 1_000);
    assert_eq!(balance(&app, &token, &creator), 0);

    // Iteration over the App's storage: every account, sorted.
    let accounts: AllAccountsResponse = app
        .wrap()
        .query_wasm_smart(
            &token,
            &QueryMsg::AllAccounts {
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    let mut expected = vec![alice.to_string(), bob.to_string()];
    expected.sort();
    assert_eq!(accounts.accounts, expected);
    let after_first: AllAccountsResponse = app
        .wrap()
        .query_wasm_smart(
            &token,
            &QueryMsg::AllAccounts {
                start_after: Some(expected[0].clone()),
                limit: Some(5),
            },
        )
        .unwrap();
    assert_eq!(after_first.accounts, expected[1..]);

    // The duplicate-account check of instantiate runs in the contract.
    let err = app
        .instantiate_contract(
            code_id,
            creator.clone(),
            &InstantiateMsg {
                name: "Cash Token".to_string(),
                symbol: "CASH".to_string(),
                decimals: 9,
                initial_balances: vec![
                    Cw20Coin {
                        address: alice.to_string(),
                        amount: Uint128::new(1),
                    },
                    Cw20Coin {
                        address: alice.to_string(),
                        amount: Uint128::new(2),
                    },
                ],
                mint: None,
                marketing: None,
            },
            &[],
            "CASH",
            None,
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("Duplicate initial balance"),
        "{err}"
    );
}

#[test]
fn transfer_moves_balances_and_refuses_bad_input() {
    let mut app = App::default();
    let alice = app.api().addr_make("alice");
    let bob = app.api().addr_make("bob");
    let code_id = app.store_code(cw20_contract());
    let token = instantiate_token(&mut app, code_id, &alice, &[(&alice, 1_000)], None);

    let response = app
        .execute_contract(
            alice.clone(),
            token.clone(),
            &ExecuteMsg::Transfer {
                recipient: bob.to_string(),
                amount: Uint128::new(300),
            },
            &[],
        )
        .unwrap();
    let wasm = response
        .events
        .iter()
        .find(|event| event.ty == "wasm")
        .expect("a wasm event");
    let attribute = |key: &str| {
        wasm.attributes
            .iter()
            .find(|a| a.key == key)
            .map(|a| a.value.clone())
    };
    assert_eq!(attribute("action").as_deref(), Some("transfer"));
    assert_eq!(attribute("amount").as_deref(), Some("300"));
    assert_eq!(balance(&app, &token, &alice), 700);
    assert_eq!(balance(&app, &token, &bob), 300);

    // More than the balance: the contract's overflow error, nothing moves.
    let err = app
        .execute_contract(
            bob.clone(),
            token.clone(),
            &ExecuteMsg::Transfer {
                recipient: alice.to_string(),
                amount: Uint128::new(301),
            },
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("Overflow"), "{err}");
    assert_eq!(balance(&app, &token, &bob), 300);

    // An address the App's API refuses: the contract sees the refusal.
    let err = app
        .execute_contract(
            alice.clone(),
            token.clone(),
            &ExecuteMsg::Transfer {
                recipient: "not-an-address".to_string(),
                amount: Uint128::new(1),
            },
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("bech32"), "{err}");

    assert_eq!(total_supply(&app, &token), 1_000);
}

/// `Send` calls the receiver contract (the probe, a Wasm contract that
/// records the `Cw20ReceiveMsg`); a receiver that fails rolls the whole
/// send back.
#[test]
fn send_to_a_receiver_contract() {
    let mut app = App::default();
    let alice = app.api().addr_make("alice");
    let code_id = app.store_code(cw20_contract());
    let token = instantiate_token(&mut app, code_id, &alice, &[(&alice, 500)], None);
    let probe_id = app.store_code(wasm("probe"));
    let receiver = app
        .instantiate_contract(
            probe_id,
            alice.clone(),
            &probe::msg::InstantiateMsg {},
            &[],
            "probe",
            None,
        )
        .unwrap();

    let inner = cosmwasm_std_v2::Binary::from(b"".as_slice());
    app.execute_contract(
        alice.clone(),
        token.clone(),
        &ExecuteMsg::Send {
            contract: receiver.to_string(),
            amount: Uint128::new(120),
            msg: inner,
        },
        &[],
    )
    .unwrap();
    assert_eq!(balance(&app, &token, &alice), 380);
    assert_eq!(balance(&app, &token, &receiver), 120);
    let received = app
        .wrap()
        .query_wasm_raw(&receiver, probe::msg::RECEIVED_KEY)
        .unwrap()
        .expect("the receiver stored the message");
    let received: serde_json::Value = serde_json::from_slice(&received).unwrap();
    assert_eq!(received["receive"]["sender"], alice.to_string());
    assert_eq!(received["receive"]["amount"], "120");

    // The receiver fails: the transfer to it is rolled back too.
    let fail = serde_json::to_vec(&probe::msg::ExecuteMsg::Fail {
        msg: "not today".into(),
    })
    .unwrap();
    let err = app
        .execute_contract(
            alice.clone(),
            token.clone(),
            &ExecuteMsg::Send {
                contract: receiver.to_string(),
                amount: Uint128::new(80),
                msg: cosmwasm_std_v2::Binary::from(fail),
            },
            &[],
        )
        .unwrap_err();
    assert!(format!("{err:?}").contains("not today"), "{err:?}");
    assert_eq!(balance(&app, &token, &alice), 380);
    assert_eq!(balance(&app, &token, &receiver), 120);
}

#[test]
fn allowances_transfer_from_send_from_and_burn_from() {
    let mut app = App::default();
    let owner = app.api().addr_make("owner");
    let spender = app.api().addr_make("spender");
    let spender2 = app.api().addr_make("spender2");
    let carol = app.api().addr_make("carol");
    let code_id = app.store_code(cw20_contract());
    let token = instantiate_token(&mut app, code_id, &owner, &[(&owner, 10_000)], None);

    let allowance = |app: &App, spender: &Addr| -> AllowanceResponse {
        app.wrap()
            .query_wasm_smart(
                &token,
                &QueryMsg::Allowance {
                    owner: owner.to_string(),
                    spender: spender.to_string(),
                },
            )
            .unwrap()
    };
    assert_eq!(allowance(&app, &spender), AllowanceResponse::default());

    let expires = Expiration::AtHeight(1_000_000);
    for (who, amount) in [(&spender, 3_000), (&spender2, 50)] {
        app.execute_contract(
            owner.clone(),
            token.clone(),
            &ExecuteMsg::IncreaseAllowance {
                spender: who.to_string(),
                amount: Uint128::new(amount),
                expires: Some(expires),
            },
            &[],
        )
        .unwrap();
    }
    assert_eq!(
        allowance(&app, &spender),
        AllowanceResponse {
            allowance: Uint128::new(3_000),
            expires
        }
    );
    let all: AllAllowancesResponse = app
        .wrap()
        .query_wasm_smart(
            &token,
            &QueryMsg::AllAllowances {
                owner: owner.to_string(),
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert_eq!(all.allowances.len(), 2);

    app.execute_contract(
        owner.clone(),
        token.clone(),
        &ExecuteMsg::DecreaseAllowance {
            spender: spender.to_string(),
            amount: Uint128::new(500),
            expires: None,
        },
        &[],
    )
    .unwrap();
    assert_eq!(allowance(&app, &spender).allowance, Uint128::new(2_500));

    app.execute_contract(
        spender.clone(),
        token.clone(),
        &ExecuteMsg::TransferFrom {
            owner: owner.to_string(),
            recipient: carol.to_string(),
            amount: Uint128::new(1_000),
        },
        &[],
    )
    .unwrap();
    assert_eq!(balance(&app, &token, &carol), 1_000);
    assert_eq!(allowance(&app, &spender).allowance, Uint128::new(1_500));

    // Over the allowance: refused, nothing moves.
    let err = app
        .execute_contract(
            spender2.clone(),
            token.clone(),
            &ExecuteMsg::TransferFrom {
                owner: owner.to_string(),
                recipient: carol.to_string(),
                amount: Uint128::new(51),
            },
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("Overflow"), "{err}");
    // No allowance at all.
    let err = app
        .execute_contract(
            carol.clone(),
            token.clone(),
            &ExecuteMsg::TransferFrom {
                owner: owner.to_string(),
                recipient: carol.to_string(),
                amount: Uint128::new(1),
            },
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("No allowance"), "{err}");

    app.execute_contract(
        spender.clone(),
        token.clone(),
        &ExecuteMsg::BurnFrom {
            owner: owner.to_string(),
            amount: Uint128::new(500),
        },
        &[],
    )
    .unwrap();
    assert_eq!(total_supply(&app, &token), 9_500);
    assert_eq!(allowance(&app, &spender).allowance, Uint128::new(1_000));

    let probe_id = app.store_code(wasm("probe"));
    let receiver = app
        .instantiate_contract(
            probe_id,
            owner.clone(),
            &probe::msg::InstantiateMsg {},
            &[],
            "probe",
            None,
        )
        .unwrap();
    app.execute_contract(
        spender.clone(),
        token.clone(),
        &ExecuteMsg::SendFrom {
            owner: owner.to_string(),
            contract: receiver.to_string(),
            amount: Uint128::new(400),
            msg: cosmwasm_std_v2::Binary::default(),
        },
        &[],
    )
    .unwrap();
    assert_eq!(balance(&app, &token, &receiver), 400);
    assert_eq!(balance(&app, &token, &owner), 10_000 - 1_000 - 500 - 400);

    let by_spender: AllSpenderAllowancesResponse = app
        .wrap()
        .query_wasm_smart(
            &token,
            &QueryMsg::AllSpenderAllowances {
                spender: spender.to_string(),
                start_after: None,
                limit: None,
            },
        )
        .unwrap();
    assert_eq!(
        by_spender.allowances,
        [SpenderAllowanceInfo {
            owner: owner.to_string(),
            allowance: Uint128::new(600),
            expires
        }]
    );
}

#[test]
fn only_the_minter_mints() {
    let mut app = App::default();
    let minter = app.api().addr_make("minter");
    let alice = app.api().addr_make("alice");
    let code_id = app.store_code(cw20_contract());
    let token = instantiate_token(&mut app, code_id, &minter, &[], Some(&minter));
    let mint = ExecuteMsg::Mint {
        recipient: alice.to_string(),
        amount: Uint128::new(77),
    };
    let err = app
        .execute_contract(alice.clone(), token.clone(), &mint, &[])
        .unwrap_err();
    assert!(err.to_string().contains("Unauthorized"), "{err}");
    app.execute_contract(minter, token.clone(), &mint, &[])
        .unwrap();
    assert_eq!(balance(&app, &token, &alice), 77);
    assert_eq!(total_supply(&app, &token), 77);
}
