//! Pageable lists (`x-ms-pageable`): azure_core's `ItemIterator` over pages
//! this crate decodes once, following each page's next link.

use async_trait::async_trait;
use azure_core::http::pager::{PagerContinuation, PagerOptions, PagerResult, PagerState};
use azure_core::http::{Context, ItemIterator, Method, Request};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::core::{ClientCore, OperationInfo, decode};

/// A stream of the items of every page (`futures::TryStreamExt::try_next`,
/// `try_collect`); `into_pages()` gives whole pages instead.
pub type Pager<P> = ItemIterator<P>;

/// The paginated list envelope every surface uses: the items of one page
/// and the link to the next.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    #[serde(default = "Vec::new")]
    pub value: Vec<T>,
    /// The absolute URL of the next page; absent on the last one.
    #[serde(rename = "nextLink", default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

/// A page that may link to another.
pub trait NextLink {
    fn next_link(&self) -> Option<&str>;
}

impl<T> NextLink for Page<T> {
    fn next_link(&self) -> Option<&str> {
        self.next_link.as_deref()
    }
}

#[async_trait]
impl<T: Send> azure_core::http::pager::Page for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;

    async fn into_items(self) -> azure_core::Result<Self::IntoIter> {
        Ok(self.value.into_iter())
    }
}

impl ClientCore {
    /// Pages through a list, starting with `first` and following next
    /// links (only to the endpoint's own host; `api-version` re-applied).
    pub fn pager<P>(
        &self,
        op: &'static OperationInfo,
        first: Request,
        context: Context<'static>,
    ) -> Pager<P>
    where
        P: DeserializeOwned + azure_core::http::pager::Page + NextLink + Send + 'static,
    {
        let core = self.clone();
        let options = PagerOptions {
            context,
            continuation: None,
        };
        ItemIterator::new(
            move |state: PagerState, options: PagerOptions<'static>| {
                let core = core.clone();
                let request = match state {
                    PagerState::Initial => Ok(first.clone()),
                    PagerState::More(continuation) => {
                        let link: String = continuation.into();
                        core.follow(op.id, &link).map(|mut url| {
                            core.set_api_version(&mut url);
                            let mut request = Request::new(url, Method::Get);
                            request.insert_header("accept", "application/json");
                            request
                        })
                    }
                };
                Box::pin(async move {
                    let mut request = request?;
                    let raw = core.send(op, &options.context, &mut request).await?;
                    let page: P = decode(op.id, &raw)?;
                    Ok(match page.next_link().filter(|l| !l.is_empty()) {
                        Some(link) => {
                            // Where the link may lead is checked when the
                            // next page is asked for: a caller reading one
                            // page never meets it.
                            let url = core.resolve(op.id, link)?;
                            PagerResult::More {
                                response: page,
                                continuation: PagerContinuation::Link(url),
                            }
                        }
                        None => PagerResult::Done { response: page },
                    })
                })
            },
            Some(options),
        )
    }
}
