/** Goes to a console page: the route is the URL's fragment (#/projects/shop/endpoints). */
export function navigate(path: string) {
  location.hash = '#/' + path.replace(/^\//, '');
}
