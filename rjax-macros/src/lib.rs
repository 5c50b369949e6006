//! `#[derive(Pytree)]` for rjax (re-exported as `rjax::Pytree`): structs with named or tuple
//! fields, enums and generic types become pytrees, so that `jit`, `grad`, `vmap` and the tree
//! functions take and return them as they take tuples and `Vec`s. The derive also implements
//! `rjax::JacobianOf`, so that `jacfwd`, `jacrev` and `hessian` differentiate functions that
//! return the type (the rule is on `JacobianOf`'s documentation).
//!
//! Every field is a subtree, in declaration order, except those marked `#[pytree(static)]`:
//! they are part of the structure (compared and hashed, so part of `jit`'s cache key, as
//! Equinox's static fields) and have no leaves; their type must be
//! `Clone + Eq + Hash + Debug + Send + Sync + 'static`. The structure records the type's name,
//! the enum variant and the field names, so that trees of different types never match.

mod jacobian;

use proc_macro::TokenStream;
use proc_macro2::{Span, TokenStream as TokenStream2};
use quote::{format_ident, quote};
use syn::spanned::Spanned;
use syn::{
    Data, DeriveInput, Fields, Generics, Ident, LitStr, Type, WherePredicate, parse_macro_input,
    parse_quote_spanned,
};

/// Derives `rjax::Pytree` and `rjax::JacobianOf` for a struct or an enum; see the crate
/// documentation.
#[proc_macro_derive(Pytree, attributes(pytree))]
pub fn derive_pytree(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    match expand(&input) {
        Ok(tokens) => tokens.into(),
        Err(error) => error.to_compile_error().into(),
    }
}

/// One field: how to name it in the structure, how to reach it, and whether it is static.
struct Field {
    /// The name recorded in the structure: the field's name, or its index for tuple fields.
    label: String,
    /// The binding used in patterns and constructors.
    binding: Ident,
    /// The field's name or index as written in `Self { .. }` or `Self(..)`.
    member: syn::Member,
    ty: Type,
    is_static: bool,
}

/// The fields of a struct or variant, and whether they are named.
fn fields_of(fields: &Fields) -> syn::Result<(Vec<Field>, bool)> {
    let named = matches!(fields, Fields::Named(_));
    let mut out = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let mut is_static = false;
        for attribute in field.attrs.iter().filter(|a| a.path().is_ident("pytree")) {
            attribute.parse_nested_meta(|meta| {
                if meta.path.is_ident("static") {
                    is_static = true;
                    Ok(())
                } else {
                    Err(meta.error(
                        "unknown pytree attribute: the one field attribute is `#[pytree(static)]`",
                    ))
                }
            })?;
        }
        let (label, member) = match &field.ident {
            Some(ident) => (ident.to_string(), syn::Member::Named(ident.clone())),
            None => (index.to_string(), syn::Member::Unnamed(index.into())),
        };
        out.push(Field {
            label,
            binding: format_ident!("field_{}", index),
            member,
            ty: field.ty.clone(),
            is_static,
        });
    }
    Ok((out, named))
}

/// The where-clause predicates: every dynamic field is a pytree, every static one a valid
/// static value.
fn bounds(fields: &[Field]) -> Vec<WherePredicate> {
    fields
        .iter()
        .map(|field| {
            // Spanned at the field's type, so an unmet bound points at the field.
            let ty = &field.ty;
            if field.is_static {
                parse_quote_spanned!(ty.span()=> #ty: ::core::clone::Clone + ::core::cmp::Eq
                    + ::core::hash::Hash + ::core::fmt::Debug + ::core::marker::Send
                    + ::core::marker::Sync + 'static)
            } else {
                parse_quote_spanned!(ty.span()=> #ty: ::rjax::Pytree)
            }
        })
        .collect()
}

/// `flatten`'s expression for the fields bound to their bindings: a node of their subtrees.
fn flatten_node(type_name: &LitStr, variant: &LitStr, fields: &[Field]) -> TokenStream2 {
    let entries = fields.iter().map(|field| {
        let label = LitStr::new(&field.label, Span::call_site());
        let binding = &field.binding;
        if field.is_static {
            quote! {
                (#label, ::rjax::Pytree::flatten(&::rjax::Static(::core::clone::Clone::clone(#binding)), leaves))
            }
        } else {
            quote! { (#label, ::rjax::Pytree::flatten(#binding, leaves)) }
        }
    });
    quote! {
        ::rjax::TreeDef::Node(::rjax::NodeDef {
            type_name: #type_name,
            variant: #variant,
            fields: ::std::vec![#(#entries),*],
        })
    }
}

/// `unflatten`'s constructor `path { .. }` / `path(..)` from the subtrees in `children`.
fn build(path: TokenStream2, fields: &[Field], named: bool) -> TokenStream2 {
    let values = fields.iter().enumerate().map(|(index, field)| {
        let ty = &field.ty;
        let value = if field.is_static {
            quote! { <::rjax::Static<#ty> as ::rjax::Pytree>::unflatten(&children[#index].1, leaves)?.0 }
        } else {
            quote! { <#ty as ::rjax::Pytree>::unflatten(&children[#index].1, leaves)? }
        };
        (field, value)
    });
    if named {
        let assignments = values.map(|(field, value)| {
            let member = &field.member;
            quote! { #member: #value }
        });
        quote! { #path { #(#assignments),* } }
    } else if fields.is_empty() {
        quote! { #path }
    } else {
        let values = values.map(|(_, value)| value);
        quote! { #path(#(#values),*) }
    }
}

/// The pattern that binds every field of `path` by reference.
fn pattern(path: TokenStream2, fields: &[Field], named: bool, unit: bool) -> TokenStream2 {
    let bindings = fields.iter().map(|f| &f.binding);
    if unit {
        quote! { #path }
    } else if named {
        let members = fields.iter().map(|f| &f.member);
        quote! { #path { #(#members: #bindings),* } }
    } else {
        quote! { #path(#(#bindings),*) }
    }
}

/// The labels of `fields`, as a `&[&str]` expression.
fn labels(fields: &[Field]) -> TokenStream2 {
    let labels = fields
        .iter()
        .map(|f| LitStr::new(&f.label, Span::call_site()));
    quote! { &[#(#labels),*] }
}

fn expand(input: &DeriveInput) -> syn::Result<TokenStream2> {
    let name = &input.ident;
    let type_name = LitStr::new(&name.to_string(), Span::call_site());
    let mut generics: Generics = input.generics.clone();
    let (flatten_body, unflatten_body, all_fields) = match &input.data {
        Data::Struct(data) => {
            let (fields, named) = fields_of(&data.fields)?;
            let unit = matches!(data.fields, Fields::Unit);
            let struct_variant = LitStr::new("", Span::call_site());
            let bind = pattern(quote!(#name), &fields, named, unit);
            let node = flatten_node(&type_name, &struct_variant, &fields);
            let labels = labels(&fields);
            let construct = build(quote!(#name), &fields, named);
            let flatten = quote! {
                #[allow(unused_variables)]
                let #bind = self;
                #node
            };
            let unflatten = quote! {
                let children = ::rjax::NodeDef::fields_of(def, #type_name, "", #labels)?;
                ::core::result::Result::Ok(#construct)
            };
            (flatten, unflatten, fields)
        }
        Data::Enum(data) => {
            let mut flatten_arms = Vec::new();
            let mut unflatten_arms = Vec::new();
            let mut all = Vec::new();
            for variant in &data.variants {
                if variant.attrs.iter().any(|a| a.path().is_ident("pytree")) {
                    return Err(syn::Error::new_spanned(
                        variant,
                        "`#[pytree(..)]` goes on fields, not on enum variants",
                    ));
                }
                let ident = &variant.ident;
                let (fields, named) = fields_of(&variant.fields)?;
                let unit = matches!(variant.fields, Fields::Unit);
                let variant_name = LitStr::new(&ident.to_string(), Span::call_site());
                let bind = pattern(quote!(Self::#ident), &fields, named, unit);
                let node = flatten_node(&type_name, &variant_name, &fields);
                flatten_arms.push(quote! { #bind => #node });
                let labels = labels(&fields);
                let construct = build(quote!(Self::#ident), &fields, named);
                unflatten_arms.push(quote! {
                    #variant_name => {
                        let children = ::rjax::NodeDef::fields_of(def, #type_name, #variant_name, #labels)?;
                        ::core::result::Result::Ok(#construct)
                    }
                });
                all.extend(fields);
            }
            let flatten = quote! {
                match self {
                    #(#flatten_arms,)*
                }
            };
            let unflatten = quote! {
                match ::rjax::NodeDef::variant_of(def, #type_name)? {
                    #(#unflatten_arms)*
                    other => ::core::result::Result::Err(::rjax::NodeDef::unknown_variant(def, #type_name, other)),
                }
            };
            (flatten, unflatten, all)
        }
        Data::Union(data) => {
            return Err(syn::Error::new_spanned(
                data.union_token,
                "Pytree cannot be derived for unions: a pytree's leaves must be read safely; \
                 use a struct or an enum",
            ));
        }
    };
    let jacobian = jacobian::jacobian_impl(input, &all_fields);
    let where_clause = generics.make_where_clause();
    where_clause.predicates.extend(bounds(&all_fields));
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    Ok(quote! {
        impl #impl_generics ::rjax::Pytree for #name #type_generics #where_clause {
            fn flatten(&self, leaves: &mut ::std::vec::Vec<::rjax::Array>) -> ::rjax::TreeDef {
                #flatten_body
            }

            fn unflatten(
                def: &::rjax::TreeDef,
                leaves: &mut dyn ::core::iter::Iterator<Item = ::rjax::Array>,
            ) -> ::rjax::Result<Self> {
                #unflatten_body
            }
        }

        #jacobian
    })
}
