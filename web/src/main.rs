fn main() {
    portal_web::mount();
}
