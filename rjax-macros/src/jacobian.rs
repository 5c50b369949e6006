//! The `JacobianOf` impl that `#[derive(Pytree)]` writes beside `Pytree`, so that `jacfwd`,
//! `jacrev` and `hessian` infer the Jacobian of a function returning the derived type.
//!
//! The Jacobian of a derived value has the value's structure with each leaf replaced by the
//! input's structure (JAX's layout). As a type, that is the same type with its *leaf type
//! parameters* (those that appear in dynamic fields, in no static field, and never as the
//! head of a path such as `T::Output`) replaced by their own Jacobian types:
//! `Mlp<T>`'s Jacobian with respect to `In` is `Mlp<<T as JacobianOf<In>>::Jacobian>`. Every
//! other field must then be its own Jacobian (`Array` is, for an `Array` input), which the
//! impl's bounds require field by field; so a type without leaf parameters (such as
//! `struct Params { w: Array, b: Array }`) is its own Jacobian with respect to an `Array`.
//! Static fields are carried over.

use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::quote;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{
    DeriveInput, GenericParam, Ident, Type, TypePath, WherePredicate, parse_quote,
    parse_quote_spanned, spanned::Spanned,
};

use crate::Field;

/// Whether a type mentions a type parameter, and whether it uses it as the head of a longer
/// path (`T::Output`), where it cannot be replaced by a Jacobian type.
struct Mentions<'a> {
    param: &'a Ident,
    found: bool,
    as_path_head: bool,
}

impl<'ast> Visit<'ast> for Mentions<'_> {
    fn visit_type_path(&mut self, path: &'ast TypePath) {
        let segments = &path.path.segments;
        if path.qself.is_none()
            && path.path.leading_colon.is_none()
            && segments.first().is_some_and(|s| s.ident == *self.param)
        {
            self.found = true;
            self.as_path_head |= segments.len() > 1;
        }
        syn::visit::visit_type_path(self, path);
    }
}

/// `(mentions, as a path head)` for `param` in `ty`.
fn mentions(ty: &Type, param: &Ident) -> (bool, bool) {
    let mut visitor = Mentions {
        param,
        found: false,
        as_path_head: false,
    };
    visitor.visit_type(ty);
    (visitor.found, visitor.as_path_head)
}

/// Replaces each bare leaf parameter `T` by `<T as ::rjax::JacobianOf<In>>::Jacobian`.
struct ToJacobian<'a> {
    leaves: &'a [Ident],
    input: &'a Ident,
}

impl VisitMut for ToJacobian<'_> {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        match bare_param(ty, self.leaves) {
            Some(param) => {
                let input = self.input;
                *ty = parse_quote!(<#param as ::rjax::JacobianOf<#input>>::Jacobian);
            }
            None => syn::visit_mut::visit_type_mut(self, ty),
        }
    }
}

/// The parameter of `params` that `ty` is, if it is one of them alone.
fn bare_param(ty: &Type, params: &[Ident]) -> Option<Ident> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path
            .path
            .get_ident()
            .filter(|ident| params.contains(ident))
            .cloned(),
        _ => None,
    }
}

/// The type parameters that become Jacobian types (see the module docs).
fn leaf_params(input: &DeriveInput, fields: &[Field]) -> Vec<Ident> {
    input
        .generics
        .type_params()
        .map(|param| &param.ident)
        .filter(|param| {
            let (mut dynamic, mut blocked) = (false, false);
            for field in fields {
                let (found, as_head) = mentions(&field.ty, param);
                dynamic |= found && !field.is_static;
                blocked |= (found && field.is_static) || as_head;
            }
            dynamic && !blocked
        })
        .cloned()
        .collect()
}

/// The struct's own bounds (inline and in its where clause), as where predicates.
fn declared_predicates(input: &DeriveInput) -> Vec<WherePredicate> {
    let mut predicates: Vec<WherePredicate> = input
        .generics
        .type_params()
        .filter(|param| !param.bounds.is_empty())
        .map(|param| {
            let (ident, bounds) = (&param.ident, &param.bounds);
            parse_quote!(#ident: #bounds)
        })
        .collect();
    if let Some(where_clause) = &input.generics.where_clause {
        predicates.extend(where_clause.predicates.iter().cloned());
    }
    predicates
}

/// `impl JacobianOf<In> for Name<..>` (see the module docs).
pub(crate) fn jacobian_impl(input: &DeriveInput, fields: &[Field]) -> TokenStream2 {
    let name = &input.ident;
    let jacobian_input = Ident::new("__RjaxJacobianInput", Span::call_site());
    let leaves = leaf_params(input, fields);
    let mut to_jacobian = ToJacobian {
        leaves: &leaves,
        input: &jacobian_input,
    };
    let mut generics = input.generics.clone();
    generics
        .params
        .push(parse_quote!(#jacobian_input: ::rjax::Pytree));
    let mut predicates: Vec<WherePredicate> = leaves
        .iter()
        .map(|param| parse_quote!(#param: ::rjax::JacobianOf<#jacobian_input>))
        .collect();
    for field in fields {
        // Spanned at the field's type, so an unmet bound points at the field.
        let ty = &field.ty;
        predicates.push(if field.is_static {
            parse_quote_spanned!(ty.span()=> #ty: ::rjax::StaticFieldOf<#jacobian_input>)
        } else if bare_param(ty, &leaves).is_some() {
            parse_quote_spanned!(ty.span()=> #ty: ::rjax::JacobianOf<#jacobian_input>)
        } else {
            let mut jacobian = ty.clone();
            to_jacobian.visit_type_mut(&mut jacobian);
            parse_quote_spanned!(ty.span()=>
                #ty: ::rjax::JacobianOf<#jacobian_input, Jacobian = #jacobian>)
        });
    }
    let jacobian_type = if leaves.is_empty() {
        quote!(Self)
    } else {
        let arguments = input.generics.params.iter().map(|param| match param {
            GenericParam::Lifetime(lifetime) => {
                let lifetime = &lifetime.lifetime;
                quote!(#lifetime)
            }
            GenericParam::Type(param) => {
                let ident = &param.ident;
                if leaves.contains(ident) {
                    quote!(<#ident as ::rjax::JacobianOf<#jacobian_input>>::Jacobian)
                } else {
                    quote!(#ident)
                }
            }
            GenericParam::Const(param) => {
                let ident = &param.ident;
                quote!(#ident)
            }
        });
        let jacobian_type = quote!(#name<#(#arguments),*>);
        // The Jacobian type must meet the struct's own bounds, and be a pytree.
        for mut predicate in declared_predicates(input) {
            to_jacobian.visit_where_predicate_mut(&mut predicate);
            predicates.push(predicate);
        }
        predicates.push(parse_quote!(#jacobian_type: ::rjax::Pytree));
        jacobian_type
    };
    generics.make_where_clause().predicates.extend(predicates);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    let (_, type_generics, _) = input.generics.split_for_impl();
    quote! {
        impl #impl_generics ::rjax::JacobianOf<#jacobian_input> for #name #type_generics
            #where_clause
        {
            type Jacobian = #jacobian_type;
        }
    }
}
