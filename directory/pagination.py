from django.core.paginator import Page, Paginator

from directory.search import Search


class SearchPaginator(Paginator):
    """Pages a patient search: counted up to the search's cap, each page read by Search.page()."""

    def __init__(self, search: Search, per_page: int) -> None:
        super().__init__([], per_page)
        self.search = search

    @property
    def count(self) -> int:
        return self.search.count.value

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        return self._get_page(self.search.page(start, start + self.per_page), number, self)
