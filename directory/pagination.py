from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property

from directory.filters import PractitionerSearch


class SearchPaginator(Paginator):
    """Pages a patient search; near a place each page is read from the smallest circle that holds it."""

    def __init__(self, search: PractitionerSearch, per_page: int) -> None:
        super().__init__(search.qs, per_page)
        self.search = search

    @cached_property
    def count(self) -> int:
        return self.search.count()

    def page(self, number: int | str) -> Page:
        number = self.validate_number(number)
        start = (number - 1) * self.per_page
        stop = min(start + self.per_page, self.count)
        return self._get_page(self.search.rows(start, stop, self.count), number, self)
