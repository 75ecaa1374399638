//! Secret types have no `Serialize`: each file in `tests/ui` must fail to compile, with
//! the error recorded next to it ("the trait `Serialize` is not implemented").

#[test]
fn secret_types_are_not_serializable() {
    trybuild::TestCases::new().compile_fail("tests/ui/*.rs");
}
