//! cw1-whitelist on its Wasm fixture. `proxy_freeze_message` is cw-plus's
//! own multi-test (`contracts/cw1-whitelist/src/integration_tests.rs`) with
//! `store_code` given the Wasm; the others proxy bank and Wasm messages
//! and check the admin rules through the App.

use cosmwasm_std::{Addr, Coin, Empty, coins};
use cosmwasm_std_v2 as v2;
use cw_multi_test::{App, AppBuilder, Executor};
use cw1_whitelist::msg::{AdminListResponse, ExecuteMsg, InstantiateMsg, QueryMsg};

use crate::common::wasm;

/// cw1's `CanExecuteResponse`.
#[derive(serde::Deserialize)]
struct CanExecuteResponse {
    can_execute: bool,
}

fn contract_cw1() -> Box<dyn cw_multi_test::Contract<Empty>> {
    wasm("cw1_whitelist")
}

fn instantiate(
    app: &mut App,
    code_id: u64,
    owner: &Addr,
    admins: Vec<String>,
    mutable: bool,
) -> Addr {
    app.instantiate_contract(
        code_id,
        owner.clone(),
        &InstantiateMsg { admins, mutable },
        &[],
        "Whitelist",
        None,
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// cw-plus `proxy_freeze_message`: the first whitelist, admin of the
/// second, proxies a `Freeze` to it.
#[test]
fn proxy_freeze_message() {
    let mut app = App::default();
    let owner = app.api().addr_make("owner");
    let cw1_id = app.store_code(contract_cw1());

    let first_contract = instantiate(&mut app, cw1_id, &owner, vec![owner.to_string()], true);
    let second_contract = instantiate(
        &mut app,
        cw1_id,
        &owner,
        vec![first_contract.to_string()],
        true,
    );
    assert_ne!(second_contract, first_contract);

    let freeze_msg: ExecuteMsg = ExecuteMsg::Freeze {};
    let execute: ExecuteMsg = ExecuteMsg::Execute {
        msgs: vec![v2::CosmosMsg::Wasm(v2::WasmMsg::Execute {
            contract_addr: second_contract.to_string(),
            msg: v2::to_json_binary(&freeze_msg).unwrap(),
            funds: vec![],
        })],
    };
    app.execute_contract(owner, first_contract, &execute, &[])
        .unwrap();

    let admins: AdminListResponse = app
        .wrap()
        .query_wasm_smart(&second_contract, &QueryMsg::<Empty>::AdminList {})
        .unwrap();
    assert!(!admins.mutable);
}

#[test]
fn admins_proxy_bank_sends_and_others_cannot() {
    let owner = cosmwasm_std::testing::MockApi::default().addr_make("owner");
    let funds: Vec<Coin> = coins(1_000, "ucosm");
    let mut app = AppBuilder::new().build(|router, _, storage| {
        router
            .bank
            .init_balance(storage, &owner, funds.clone())
            .unwrap_or_else(|e| panic!("{e}"));
    });
    let stranger = app.api().addr_make("stranger");
    let recipient = app.api().addr_make("recipient");
    let cw1_id = app.store_code(contract_cw1());
    let proxy = instantiate(&mut app, cw1_id, &owner, vec![owner.to_string()], true);
    app.send_tokens(owner.clone(), proxy.clone(), &coins(600, "ucosm"))
        .unwrap();

    let send = |amount: u128| -> ExecuteMsg {
        ExecuteMsg::Execute {
            msgs: vec![v2::CosmosMsg::Bank(v2::BankMsg::Send {
                to_address: recipient.to_string(),
                amount: vec![v2::coin(amount, "ucosm")],
            })],
        }
    };
    let err = app
        .execute_contract(stranger.clone(), proxy.clone(), &send(100), &[])
        .unwrap_err();
    assert!(err.to_string().contains("Unauthorized"), "{err}");

    let can: CanExecuteResponse = app
        .wrap()
        .query_wasm_smart(
            &proxy,
            &QueryMsg::<Empty>::CanExecute {
                sender: stranger.to_string(),
                msg: v2::CosmosMsg::Bank(v2::BankMsg::Send {
                    to_address: recipient.to_string(),
                    amount: vec![v2::coin(1, "ucosm")],
                }),
            },
        )
        .unwrap();
    assert!(!can.can_execute);

    app.execute_contract(owner.clone(), proxy.clone(), &send(250), &[])
        .unwrap();
    let balance = |app: &App, who: &Addr| crate::common::bank_balance(app, who, "ucosm");
    assert_eq!(balance(&app, &recipient), 250);
    assert_eq!(balance(&app, &proxy), 350);

    // More than the proxy holds: the bank refuses, the App rolls back.
    assert!(
        app.execute_contract(owner.clone(), proxy.clone(), &send(351), &[])
            .is_err()
    );
    assert_eq!(balance(&app, &proxy), 350);

    // Admins can be replaced while mutable, then frozen for good.
    app.execute_contract(
        owner.clone(),
        proxy.clone(),
        &ExecuteMsg::<Empty>::UpdateAdmins {
            admins: vec![owner.to_string(), stranger.to_string()],
        },
        &[],
    )
    .unwrap();
    app.execute_contract(
        stranger.clone(),
        proxy.clone(),
        &ExecuteMsg::<Empty>::Freeze {},
        &[],
    )
    .unwrap();
    let err = app
        .execute_contract(
            owner.clone(),
            proxy.clone(),
            &ExecuteMsg::<Empty>::UpdateAdmins { admins: vec![] },
            &[],
        )
        .unwrap_err();
    assert!(err.to_string().contains("Unauthorized"), "{err}");
    let admins: AdminListResponse = app
        .wrap()
        .query_wasm_smart(&proxy, &QueryMsg::<Empty>::AdminList {})
        .unwrap();
    assert_eq!(admins.admins, vec![owner.to_string(), stranger.to_string()]);
}
