/** Goes to a console page: the route is the URL's fragment (#/projects/shop/endpoints). */
export function navigate(path: string) {
  location.hash = '#/' + path.replace(/^\//, '');
}

/**
 * The route's segments from a fragment (#/projects/shop%2Fx/endpoints), each decoded on its own: a segment that is not
 * valid percent-encoding (#/%E0%A4%A) is kept as written rather than failing the whole page.
 */
export function parseRoute(hash: string): string[] {
  return hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter((part) => part.length > 0)
    .map((part) => {
      try {
        return decodeURIComponent(part);
      } catch {
        return part;
      }
    });
}
