//! PJRT errors: the canonical status codes and the conversion of a `PJRT_Error*` into
//! [`Error::Pjrt`](crate::Error::Pjrt), destroying the C object exactly once.

use std::fmt;

use xla_sys as sys;

/// The canonical status code of a PJRT error (absl's `StatusCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // The variants are absl's, named as there.
pub enum ErrorCode {
    Cancelled,
    Unknown,
    InvalidArgument,
    DeadlineExceeded,
    NotFound,
    AlreadyExists,
    PermissionDenied,
    ResourceExhausted,
    FailedPrecondition,
    Aborted,
    OutOfRange,
    Unimplemented,
    Internal,
    Unavailable,
    DataLoss,
    Unauthenticated,
}

impl ErrorCode {
    /// The code for a raw `PJRT_Error_Code`; values this header does not know read as `Unknown`.
    pub(crate) fn from_raw(code: sys::PJRT_Error_Code) -> Self {
        match code {
            sys::PJRT_Error_Code_CANCELLED => ErrorCode::Cancelled,
            sys::PJRT_Error_Code_INVALID_ARGUMENT => ErrorCode::InvalidArgument,
            sys::PJRT_Error_Code_DEADLINE_EXCEEDED => ErrorCode::DeadlineExceeded,
            sys::PJRT_Error_Code_NOT_FOUND => ErrorCode::NotFound,
            sys::PJRT_Error_Code_ALREADY_EXISTS => ErrorCode::AlreadyExists,
            sys::PJRT_Error_Code_PERMISSION_DENIED => ErrorCode::PermissionDenied,
            sys::PJRT_Error_Code_RESOURCE_EXHAUSTED => ErrorCode::ResourceExhausted,
            sys::PJRT_Error_Code_FAILED_PRECONDITION => ErrorCode::FailedPrecondition,
            sys::PJRT_Error_Code_ABORTED => ErrorCode::Aborted,
            sys::PJRT_Error_Code_OUT_OF_RANGE => ErrorCode::OutOfRange,
            sys::PJRT_Error_Code_UNIMPLEMENTED => ErrorCode::Unimplemented,
            sys::PJRT_Error_Code_INTERNAL => ErrorCode::Internal,
            sys::PJRT_Error_Code_UNAVAILABLE => ErrorCode::Unavailable,
            sys::PJRT_Error_Code_DATA_LOSS => ErrorCode::DataLoss,
            sys::PJRT_Error_Code_UNAUTHENTICATED => ErrorCode::Unauthenticated,
            _ => ErrorCode::Unknown,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}
